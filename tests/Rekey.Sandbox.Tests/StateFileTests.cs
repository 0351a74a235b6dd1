using Rekey.Sandbox.Rds;

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
}
