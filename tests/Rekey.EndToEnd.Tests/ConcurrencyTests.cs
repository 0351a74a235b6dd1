using System.Text.RegularExpressions;
using Amazon.KeyManagementService.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Sandbox.Core;
using Rekey.State;

namespace Rekey.EndToEnd.Tests;

/// <summary>Two runs started on one cluster at once (two approvals, two runners).</summary>
public sealed class ConcurrencyTests
{
    [Theory]
    [ChaosSeeds]
    public async Task Of_two_concurrent_cutovers_one_proceeds_and_the_other_stops_at_the_lock_before_any_rename(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
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

    [Theory]
    [ChaosSeeds]
    public async Task A_run_whose_confirmed_lock_a_late_lock_write_overwrites_makes_no_further_change_and_the_holder_finishes_the_cutover(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        // The late run's lock write is held by the sandbox until the test moves its clock on: AWS applies it late.
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Delay, Service = "rds", Operation = "AddTagsToResource", DelaySeconds = LateWriteHeld.TotalSeconds });
        var late = new CrashingHttpClientFactory();
        var lateRun = Task.Run(() => sandbox.CutoverAsync("e2e-late", sandbox.CreateAws(late)));
        await WaitUntilAsync(() => sandbox.Server.Faults.Pending().Count == 0, "the late run's lock write to reach the sandbox");
        Assert.DoesNotContain("AddTagsToResource", late.Succeeded);

        // The overwritten run takes the lock and confirms it; right after its next tag write succeeds, the late lock write lands.
        var overwrittenAt = -1;
        var changes = 0;
        var tagWrites = 0;
        var overwritten = new CrashingHttpClientFactory
        {
            AfterSucceeded = async operation =>
            {
                var changesSoFar = Interlocked.Increment(ref changes);
                if (operation != "AddTagsToResource" || Interlocked.Increment(ref tagWrites) != 2)
                {
                    return;
                }

                sandbox.Server.Clock.Advance(LateWriteHeld);
                await WaitUntilAsync(() => late.Succeeded.Contains("AddTagsToResource"), "the late lock write to land");
                overwrittenAt = changesSoFar;
            },
        };
        var overwrittenResult = await sandbox.CutoverAsync("e2e-overwritten", sandbox.CreateAws(overwritten));
        var lateResult = await lateRun;

        Assert.True(overwrittenAt > 0, overwrittenResult.ToString());
        Assert.Equal(ExitCodes.ClusterLocked, overwrittenResult.ExitCode);
        Assert.Contains("Run e2e-overwritten lost the lock", overwrittenResult.Output, StringComparison.Ordinal);
        Assert.Contains("run e2e-late holds it now", overwrittenResult.Output, StringComparison.Ordinal);
        Assert.Contains("stopped before its next change", overwrittenResult.Output, StringComparison.Ordinal);

        // No change by the overwritten run once the other lock had landed: the tag write it had made is its last.
        Assert.Equal(overwrittenAt, overwritten.Succeeded.Count);
        Assert.Equal("AddTagsToResource", overwritten.Succeeded[^1]);
        Assert.DoesNotContain(overwritten.Succeeded, c => c is "ModifyDBCluster" or "ModifyDBInstance" or "DeleteDBClusterEndpoint" or "RestoreDBClusterToPointInTime");

        // The run that holds the lock resumes from what the other left and finishes: Verify passed, lock released.
        Assert.True(lateResult.ExitCode == 0, lateResult.ToString());
        Assert.Contains("Verify passed", lateResult.Output, StringComparison.Ordinal);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = await CutoverTests.DescribeAsync(rds, LedgerCluster.Id);
        Assert.DoesNotContain(cluster.TagList!, t => t.Key == RekeyTags.Lock);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Of_two_racing_runs_given_different_keys_the_lock_holder_refuses_the_other_runs_recorded_key_with_no_further_change_and_that_run_resumes_onto_its_own_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        // As above, but the late run was given another key: the overwritten run records its own key before the late lock lands.
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Delay, Service = "rds", Operation = "AddTagsToResource", DelaySeconds = LateWriteHeld.TotalSeconds });
        var late = new CrashingHttpClientFactory();
        var lateArguments = sandbox.Arguments("Cutover", "e2e-late", $"--confirm={LedgerCluster.Id}")
            .Select(a => a.StartsWith("--kms-key=", StringComparison.Ordinal) ? "--kms-key=alias/late-key" : a)
            .ToArray();
        var lateRun = Task.Run(() => sandbox.RunAsync(sandbox.CreateAws(late), lateArguments));
        await WaitUntilAsync(() => sandbox.Server.Faults.Pending().Count == 0, "the late run's lock write to reach the sandbox");

        var lateLockLandedAt = -1;
        var tagWrites = 0;
        var overwritten = new CrashingHttpClientFactory
        {
            AfterSucceeded = async operation =>
            {
                if (operation != "AddTagsToResource" || Interlocked.Increment(ref tagWrites) != 2)
                {
                    return;
                }

                sandbox.Server.Clock.Advance(LateWriteHeld);
                await WaitUntilAsync(() => late.Succeeded.Contains("AddTagsToResource"), "the late lock write to land");
                lateLockLandedAt = late.Succeeded.Count;
            },
        };
        var overwrittenResult = await sandbox.CutoverAsync("e2e-overwritten", sandbox.CreateAws(overwritten));
        var lateResult = await lateRun;
        Assert.Equal(ExitCodes.ClusterLocked, overwrittenResult.ExitCode);

        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var recordedKey = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata.Arn;
        var lateKey = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/late-key" })).KeyMetadata.Arn;
        Assert.NotEqual(recordedKey, lateKey);

        // The late run holds the lock but refuses the key the other run recorded, naming both keys, both runs and the ways on.
        Assert.True(lateResult.ExitCode == ExitCodes.RefusedByPreflight, lateResult.ToString());
        var words = Regex.Replace(lateResult.Output, @"\s+", " ");
        foreach (var expected in new[] { "Fence refused", recordedKey, lateKey, "recorded by run e2e-overwritten", "run e2e-late was given", "--run-id=e2e-overwritten", $"--kms-key={recordedKey}" })
        {
            Assert.True(words.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:{Environment.NewLine}{lateResult}");
        }

        // Its lock write is its last change: not one mutating call after the refusal, and no restore at all.
        Assert.True(lateLockLandedAt > 0, lateResult.ToString());
        Assert.Equal(lateLockLandedAt, late.Succeeded.Count);
        Assert.Equal("AddTagsToResource", late.Succeeded[^1]);
        Assert.DoesNotContain(late.Succeeded, c => c is "ModifyDBCluster" or "ModifyDBInstance" or "DeleteDBClusterEndpoint" or "RestoreDBClusterToPointInTime");

        // The run the tags name takes the lock back and finishes onto its own key; the only restore is its own.
        var resumed = await sandbox.CutoverAsync("e2e-overwritten");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Verify passed", resumed.Output, StringComparison.Ordinal);
        Assert.Single(sandbox.Server.Calls.Snapshot(), c => c.Operation == "RestoreDBClusterToPointInTime");
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = await CutoverTests.DescribeAsync(rds, LedgerCluster.Id);
        Assert.Equal(recordedKey, cluster.KmsKeyId);
        Assert.DoesNotContain(cluster.TagList!, t => t.Key == RekeyTags.Lock);
    }

    // How long the sandbox holds the late lock write: far longer than any run takes on a loaded machine (a day of
    // sandbox time is under 30 real seconds here), so only the test's own clock move releases it.
    private static readonly TimeSpan LateWriteHeld = TimeSpan.FromDays(30);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }
}
