using Amazon;
using Amazon.Runtime;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.SandboxRehearsal;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>
/// <c>./build.sh --target=Sandbox</c> started as a user starts it: its clock speed, a state file that survives a
/// restart, the sample account on request, and SIGTERM as its normal end (a message, the state saved, exit 0).
/// </summary>
[Collection(Host.BuildScriptCollection.Name)]
public sealed class SandboxTargetTests : IDisposable
{
    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"rekey-sandbox-target-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_stateFile);

    [Fact]
    public async Task The_Sandbox_target_seeds_the_sample_account_saves_it_on_SIGTERM_exits_0_and_brings_it_back_from_the_state_file()
    {
        using (var first = await StartAsync("--sample", "--clock-speed=60"))
        {
            Assert.Contains("Clock at 60x", first.Output, StringComparison.Ordinal);
            var clusters = await ClusterStatusesAsync(first.BaseUrl);
            Assert.All(SampleAccount.Clusters, sample => Assert.Equal("available", clusters.GetValueOrDefault(sample.Id)));

            await first.StopAsync();
            Assert.Contains($"its state is saved in {_stateFile}", first.Output, StringComparison.Ordinal);
        }

        Assert.Contains(SampleAccount.Clusters[0].Id, await File.ReadAllTextAsync(_stateFile), StringComparison.Ordinal);

        // Restarted on the same state file, the sample account is there and is not seeded twice.
        using var second = await StartAsync("--sample");
        Assert.Contains("not seeded again", second.Output, StringComparison.Ordinal);
        var restored = await ClusterStatusesAsync(second.BaseUrl);
        Assert.All(SampleAccount.Clusters, sample => Assert.Equal("available", restored.GetValueOrDefault(sample.Id)));
        await second.StopAsync();
    }

    [Fact]
    public async Task The_Sandbox_target_refuses_a_clock_speed_that_is_not_positive_with_exit_2()
    {
        using var run = await StartAsync(waitUntilReady: false, "--clock-speed=0");
        await run.Run.Process.WaitForExitAsync(run.Run.Deadline.Token);
        Assert.True(run.Run.Process.ExitCode == 2, $"exit code {run.Run.Process.ExitCode}:{Environment.NewLine}{run.Output}");
        Assert.Contains("clock-speed", run.Output, StringComparison.Ordinal);
    }

    private Task<SandboxTargetProcess> StartAsync(params string[] arguments) => StartAsync(waitUntilReady: true, arguments);

    /// <summary>Starts build.sh --target=Sandbox on free ports with this test's state file.</summary>
    private Task<SandboxTargetProcess> StartAsync(bool waitUntilReady, params string[] arguments) =>
        SandboxTargetProcess.StartAsync(
            waitUntilReady, ["--port=0", "--dns-port=0", "--data-plane=model", $"--state-file={_stateFile}", .. arguments]);

    private static async Task<Dictionary<string, string?>> ClusterStatusesAsync(Uri baseUrl)
    {
        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = baseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "sandbox-target"),
        });
        using var rds = aws.CreateRds(RegionEndpoint.USEast1);
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters ?? [];
        return clusters.ToDictionary(c => c.DBClusterIdentifier!, c => c.Status, StringComparer.Ordinal);
    }
}
