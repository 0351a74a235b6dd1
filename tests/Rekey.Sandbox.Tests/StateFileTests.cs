using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests;

public sealed class StateFileTests : IDisposable
{
    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"rekey-sandbox-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_stateFile);

    [Fact]
    public async Task A_sandbox_restarted_on_the_same_state_file_keeps_clusters_writes_dns_names_and_its_clock()
    {
        var options = SandboxOptions.ForTests(clockSpeed: 1) with { StateFile = _stateFile };
        DateTimeOffset stoppedAt;
        string endpoint;
        await using (var first = await SandboxServer.StartAsync(options))
        {
            var query = new SandboxQuery(first.BaseUrl);
            await query.CreateClusterAsync("durable", encrypted: true);
            first.Clock.Advance(TimeSpan.FromMinutes(5));
            await query.CreateInstanceAsync("durable", "durable-1");
            first.Clock.Advance(TimeSpan.FromDays(2));
            endpoint = RdsState.ClusterEndpointName("111111111111", "us-east-1", "durable");
            var applications = first.Get<SimulatedApplications>();
            applications.Write(applications.Open(endpoint).Id, "kept", "yes");
            stoppedAt = first.Clock.Now;
        }

        await using var second = await SandboxServer.StartAsync(options);
        var cluster = await new AwsCli(second.BaseUrl).DescribeClusterAsync("durable");
        var writes = second.Runtime.Read(() => second.Get<RdsState>().FindCluster("111111111111", "us-east-1", "durable")!.Writes.Select(w => w.Key).ToList());
        var resolved = second.Runtime.Read(() => second.Dns.Resolve(endpoint, second.Clock.Now));

        Assert.True(second.Clock.Now >= stoppedAt);
        Assert.Equal("available", cluster["Status"].Text());
        Assert.Equal(["kept"], writes);
        Assert.NotNull(resolved);
        Assert.True(File.Exists(_stateFile));
    }

    [Fact]
    public async Task A_sandbox_restarted_on_the_same_state_file_keeps_a_blue_green_deployment_and_carries_on_provisioning_it()
    {
        var options = SandboxOptions.ForTests(clockSpeed: 1) with { StateFile = _stateFile };
        string identifier;
        await using (var first = await SandboxServer.StartAsync(options))
        {
            var query = new SandboxQuery(first.BaseUrl);
            await query.CallAsync("CreateDBClusterParameterGroup", [new("DBClusterParameterGroupName", "durable-bg"), new("DBParameterGroupFamily", "aurora-postgresql16"), new("Description", "bg")]);
            await query.CallAsync("ModifyDBClusterParameterGroup", [new("DBClusterParameterGroupName", "durable-bg"), new("Parameters.Parameter.1.ParameterName", "rds.logical_replication"), new("Parameters.Parameter.1.ParameterValue", "1"), new("Parameters.Parameter.1.ApplyMethod", "pending-reboot")]);
            await query.CreateClusterAsync("durable-blue", extra: ("DBClusterParameterGroupName", "durable-bg"));
            first.Clock.Advance(TimeSpan.FromMinutes(5));
            await query.CreateInstanceAsync("durable-blue", "durable-blue-1");
            first.Clock.Advance(TimeSpan.FromMinutes(10));
            var created = await query.CallAsync("CreateBlueGreenDeployment", [new("BlueGreenDeploymentName", "durable"), new("Source", "arn:aws:rds:us-east-1:111111111111:cluster:durable-blue")]);
            identifier = created.Descendants().First(e => e.Name.LocalName == "BlueGreenDeploymentIdentifier").Value;
        }

        await using var second = await SandboxServer.StartAsync(options);
        second.Clock.Advance(TimeSpan.FromHours(1));
        var described = await new AwsCli(second.BaseUrl).JsonAsync("rds", "describe-blue-green-deployments", "--blue-green-deployment-identifier", identifier);

        Assert.Equal("AVAILABLE", described["BlueGreenDeployments"]![0]!["Status"].Text());
    }
}
