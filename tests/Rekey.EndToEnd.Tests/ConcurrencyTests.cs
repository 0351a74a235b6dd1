using Rekey.EndToEnd.Tests.Support;
using Rekey.State;

namespace Rekey.EndToEnd.Tests;

/// <summary>Two runs started on one cluster at once (two approvals, two runners).</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Of_two_concurrent_cutovers_one_proceeds_and_the_other_stops_at_the_lock_before_any_rename()
    {
        await using var sandbox = await EndToEndSandbox.StartAsync();
        var first = new CrashingHttpClientFactory();
        var second = new CrashingHttpClientFactory();

        var results = await Task.WhenAll(
            Task.Run(() => sandbox.CutoverAsync("e2e-first", sandbox.CreateAws(first))),
            Task.Run(() => sandbox.CutoverAsync("e2e-second", sandbox.CreateAws(second))));

        var winners = results.Where(r => r.ExitCode == 0).ToList();
        Assert.True(winners.Count == 1, string.Join(Environment.NewLine + "----" + Environment.NewLine, results.Select(r => r.ToString())));
        var loserIndex = results[0].ExitCode == 0 ? 1 : 0;
        var loser = results[loserIndex];
        var loserCalls = (loserIndex == 0 ? first : second).Succeeded;
        Assert.Contains("is locked by run", loser.Output, StringComparison.Ordinal);
        Assert.Contains(loserIndex == 0 ? "e2e-second" : "e2e-first", loser.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(loserCalls, c => c is "ModifyDBCluster" or "ModifyDBInstance" or "DeleteDBClusterEndpoint" or "RestoreDBClusterToPointInTime");

        // The winner's cutover is whole: Verify passed and the lock is released.
        Assert.Contains("Verify passed", winners[0].Output, StringComparison.Ordinal);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = await CutoverTests.DescribeAsync(rds, LedgerCluster.Id);
        Assert.DoesNotContain(cluster.TagList!, t => t.Key == RekeyTags.Lock);
    }
}
