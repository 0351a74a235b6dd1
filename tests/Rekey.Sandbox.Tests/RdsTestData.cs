using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests;

/// <summary>CLI steps most RDS tests share.</summary>
internal static class RdsTestData
{
    public static Task<JsonNode> CreateClusterAsync(this AwsCli cli, string identifier, params string[] extra) =>
        cli.JsonAsync([
            "rds", "create-db-cluster", "--db-cluster-identifier", identifier, "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password", .. extra]);

    public static Task<JsonNode> CreateInstanceAsync(this AwsCli cli, string cluster, string identifier, params string[] extra) =>
        cli.JsonAsync([
            "rds", "create-db-instance", "--db-instance-identifier", identifier, "--db-cluster-identifier", cluster,
            "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large", .. extra]);

    public static async Task<JsonNode> DescribeClusterAsync(this AwsCli cli, string identifier) =>
        (await cli.JsonAsync("rds", "describe-db-clusters", "--db-cluster-identifier", identifier))["DBClusters"]![0]!;

    public static async Task<JsonNode> DescribeInstanceAsync(this AwsCli cli, string identifier) =>
        (await cli.JsonAsync("rds", "describe-db-instances", "--db-instance-identifier", identifier))["DBInstances"]![0]!;

    public static string Text(this JsonNode? node) => node?.GetValue<string>() ?? throw new InvalidOperationException("Missing value.");
}
