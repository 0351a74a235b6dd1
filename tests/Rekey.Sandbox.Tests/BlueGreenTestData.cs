using System.Text.Json.Nodes;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests;

/// <summary>Clusters a Blue/Green deployment can be made of, and the steps its tests share.</summary>
internal static class BlueGreenTestData
{
    public const string Account = "111111111111";
    public const string Region = "us-east-1";

    public static string Arn(string cluster) => $"arn:aws:rds:{Region}:{Account}:cluster:{cluster}";

    public static string Endpoint(string cluster) => RdsState.ClusterEndpointName(Account, Region, cluster);

    /// <summary>
    /// An available cluster whose cluster parameter group allows Blue/Green (Aurora PostgreSQL:
    /// rds.logical_replication=1; Aurora MySQL: binlog_format=ROW), with its instances available.
    /// </summary>
    public static async Task<string> EligibleClusterAsync(this SandboxFixture fixture, string identifier, int instances = 1, string engine = "aurora-postgresql", params (string Name, string Value)[] extra)
    {
        var mysql = engine == "aurora-mysql";
        var group = identifier + "-params";
        await fixture.Query.CallAsync(
            "CreateDBClusterParameterGroup",
            [new("DBClusterParameterGroupName", group), new("DBParameterGroupFamily", mysql ? "aurora-mysql8.0" : "aurora-postgresql16"), new("Description", "blue/green")]);
        await fixture.Query.CallAsync(
            "ModifyDBClusterParameterGroup",
            [
                new("DBClusterParameterGroupName", group), new("Parameters.Parameter.1.ParameterName", mysql ? "binlog_format" : "rds.logical_replication"),
                new("Parameters.Parameter.1.ParameterValue", mysql ? "ROW" : "1"), new("Parameters.Parameter.1.ApplyMethod", "pending-reboot"),
            ]);
        await fixture.ClusterAsync(identifier, instances, engine, [("DBClusterParameterGroupName", group), .. extra]);
        return Arn(identifier);
    }

    /// <summary>An available cluster with instances, with whatever settings <paramref name="extra"/> gives.</summary>
    public static async Task ClusterAsync(this SandboxFixture fixture, string identifier, int instances, string engine, params (string Name, string Value)[] extra)
    {
        (string Name, string Value)[] password = extra.Any(e => e.Name == "ManageMasterUserPassword") ? [] : [("MasterUserPassword", "sandbox-password")];
        await fixture.Query.CallAsync(
            "CreateDBCluster",
            [
                new("DBClusterIdentifier", identifier), new("Engine", engine), new("MasterUsername", "admin"),
                .. password.Concat(extra).Select(e => new KeyValuePair<string, string>(e.Name, e.Value)),
            ]);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        for (var n = 1; n <= instances; n++)
        {
            await fixture.Query.CallAsync(
                "CreateDBInstance",
                [new("DBInstanceIdentifier", $"{identifier}-{n}"), new("DBClusterIdentifier", identifier), new("Engine", engine), new("DBInstanceClass", "db.r6g.large")]);
        }

        fixture.Advance(fixture.Sandbox.Runtime.Durations.InstanceCreate);
    }

    /// <summary>How long provisioning takes for a cluster with no writes: a full copy, backups, then each instance in turn.</summary>
    public static TimeSpan Provisioning(this SandboxFixture fixture, int instances) =>
        fixture.Sandbox.Runtime.Durations.Restore + BlueGreenTimings.ConfigureBackups + (fixture.Sandbox.Runtime.Durations.InstanceCreate * instances);

    public static async Task<JsonNode> CreateDeploymentAsync(this AwsCli cli, string name, string sourceArn, params string[] extra) =>
        (await cli.JsonAsync(["rds", "create-blue-green-deployment", "--blue-green-deployment-name", name, "--source", sourceArn, .. extra]))["BlueGreenDeployment"]!;

    public static async Task<JsonNode> DescribeDeploymentAsync(this AwsCli cli, string identifier) =>
        (await cli.JsonAsync("rds", "describe-blue-green-deployments", "--blue-green-deployment-identifier", identifier))["BlueGreenDeployments"]![0]!;

    /// <summary>A deployment made through the CLI and moved on the clock until it is AVAILABLE.</summary>
    public static async Task<JsonNode> AvailableDeploymentAsync(this SandboxFixture fixture, string name, string sourceArn, int instances = 1)
    {
        var created = await fixture.Cli.CreateDeploymentAsync(name, sourceArn);
        fixture.Advance(fixture.Provisioning(instances));
        var described = await fixture.Cli.DescribeDeploymentAsync(created["BlueGreenDeploymentIdentifier"].Text());
        Assert.Equal("AVAILABLE", described["Status"].Text());
        return described;
    }

    public static string ClusterName(string arn) => arn.Split(':')[^1];

    public static async Task<IReadOnlyList<string>> EventMessagesAsync(this AwsCli cli, string sourceType, string? sourceIdentifier = null)
    {
        var arguments = new List<string> { "rds", "describe-events", "--duration", "10080", "--source-type", sourceType };
        if (sourceIdentifier is not null)
        {
            arguments.AddRange(["--source-identifier", sourceIdentifier]);
        }

        return [.. (await cli.JsonAsync([.. arguments]))["Events"]!.AsArray().Select(e => e!["Message"].Text())];
    }
}
