using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Sandbox.RDS;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// Success is read, not remembered: Verify, Switchover, Rollback and Cleanup read AWS again when they end, and when AWS
/// shows something else than they did (the cluster changed behind Rekey's back after the step), the run fails with exit
/// code 7 naming what AWS shows, and its report lists the final read as failed.
/// </summary>
public sealed class FinalReadTests
{
    [Theory]
    [ChaosSeeds]
    public async Task Verify_whose_checks_pass_while_another_run_holds_the_clusters_lock_exits_7_naming_that_run(long chaosSeed)
    {
        const string run = "e2e-final-verify";
        await using var sandbox = await CutOverAsync(chaosSeed, run);

        // Another run took the cluster's lock after the cutover ended.
        ChangeCluster(sandbox, LedgerCluster.Id, c => c.Tags.Add(new RdsTag(State.RekeyTags.Lock, "e2e-someone-else")));
        var verify = await sandbox.RunAsync(sandbox.Arguments("Verify", run, "--exclusive"));

        Assert.True(verify.ExitCode == ExitCodes.VerificationFailed, verify.ToString());
        Assert.Contains($"Run e2e-someone-else holds the lock of {LedgerCluster.Id}", Flat(verify), StringComparison.Ordinal);
        Assert.DoesNotContain("Verify passed", verify.Output, StringComparison.Ordinal);
        Assert.Empty(verify.MutatingCalls);
        using var report = await ReportAsync(sandbox, "verify");
        Assert.False(report.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.Equal("e2e-someone-else", report.RootElement.GetProperty("final").GetProperty("lockHolder").GetString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_switchover_whose_cluster_AWS_shows_on_another_key_when_it_ends_exits_7_naming_that_key(long chaosSeed)
    {
        const string run = "e2e-final-switchover";
        await using var sandbox = await GreenProvisionedAsync(chaosSeed, run);
        var theirs = await NewKeyAsync(sandbox);

        // Once the switchover is recorded done, the cluster under blue's name is moved to another key.
        var http = AfterSucceeded("AddTagsToResource", () =>
        {
            if (sandbox.Server.Runtime.Read(() => sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single().Status) == BlueGreenStatus.SwitchoverCompleted)
            {
                ChangeCluster(sandbox, LedgerCluster.Id, c => c.KmsKeyId = theirs);
            }
        });
        var switched = await sandbox.RunAsync(
            sandbox.CreateAws(http), sandbox.Arguments("Switchover", run, "--exclusive", $"--confirm={LedgerCluster.Id}", "--strategy=blue-green"));

        await AssertFinalReadFailedAsync(sandbox, switched, "switchover", "Switchover", theirs);
        Assert.Contains("Switchover cannot report that", Flat(switched), StringComparison.Ordinal);
        Assert.Contains($"AWS shows {LedgerCluster.Id} encrypted with {theirs}, not this run's key", Flat(switched), StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task VerifyGreen_whose_green_AWS_shows_on_another_key_after_its_checks_exits_7_and_never_says_green_is_ready(long chaosSeed)
    {
        const string run = "e2e-final-green";
        await using var sandbox = await GreenProvisionedAsync(chaosSeed, run);
        var theirs = await NewKeyAsync(sandbox);
        var green = sandbox.Server.Runtime.Read(() => sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single().TargetClusterResourceId);

        // The lag data is the last thing VerifyGreen's checks read (after green's key): then green moves to another key.
        var http = new CrashingHttpClientFactory
        {
            AfterAnswered = When("GetMetricData", () =>
                sandbox.Server.Runtime.Change(() => sandbox.Server.Get<RdsState>().Clusters.Single(c => c.ResourceId == green).KmsKeyId = theirs)),
        };
        var verified = await sandbox.RunAsync(
            sandbox.CreateAws(http), sandbox.Arguments("VerifyGreen", run, "--exclusive", $"--confirm={LedgerCluster.Id}", "--strategy=blue-green"));

        Assert.True(verified.ExitCode == ExitCodes.VerificationFailed, verified.ToString());
        Assert.Contains("VerifyGreen cannot report that green of", Flat(verified), StringComparison.Ordinal);
        Assert.Contains($"encrypted with {theirs}, not this run's key", Flat(verified), StringComparison.Ordinal);
        Assert.DoesNotContain("is ready for the switchover:", verified.Output, StringComparison.Ordinal);
        Assert.Empty(verified.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_rollback_whose_cluster_AWS_shows_on_another_key_than_the_old_one_when_it_ends_exits_7_naming_both_keys(long chaosSeed)
    {
        const string run = "e2e-final-rollback";
        await using var sandbox = await CutOverAsync(chaosSeed, run);
        var oldKey = sandbox.Server.Runtime.Read(() => OldCluster(sandbox)!.KmsKeyId);
        var theirs = await NewKeyAsync(sandbox);

        // Once the old cluster is back under its name and marked rolled back, something moves the cluster to another key.
        var http = AfterSucceeded("AddTagsToResource", () => ChangeCluster(sandbox, LedgerCluster.Id, c =>
        {
            if (c.Tags.Any(t => t.Key == "rekey:rolled-back-at"))
            {
                c.KmsKeyId = theirs;
            }
        }));
        var rollback = await sandbox.RollbackAsync(run, sandbox.CreateAws(http));

        await AssertFinalReadFailedAsync(sandbox, rollback, "rollback", "Rollback", theirs);
        Assert.Contains($"AWS shows {LedgerCluster.Id} on {theirs}, not its old key {oldKey}", Flat(rollback), StringComparison.Ordinal);
        Assert.DoesNotContain("Rolled back", rollback.Output, StringComparison.Ordinal);
        using var report = await ReportAsync(sandbox, "rollback");
        Assert.False(report.RootElement.GetProperty("succeeded").GetBoolean());
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_rollback_AWS_agrees_with_lists_what_it_read_at_the_end_as_passed(long chaosSeed)
    {
        const string run = "e2e-final-rollback-ok";
        await using var sandbox = await CutOverAsync(chaosSeed, run);

        var rollback = await sandbox.RollbackAsync(run);

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        using var report = await ReportAsync(sandbox, "rollback");
        var read = Assert.Single(
            report.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("step").GetString() == "Rollback (read from AWS at the end)");
        Assert.All(read.GetProperty("items").EnumerateArray(), i => Assert.Equal("passed", i.GetProperty("outcome").GetString()));
        Assert.Contains(
            read.GetProperty("items").EnumerateArray(), i => i.GetProperty("detail").GetString()!.Contains("is the old cluster (resource id", StringComparison.Ordinal));
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_cleanup_whose_final_snapshot_AWS_no_longer_shows_when_it_ends_exits_7_naming_the_snapshot(long chaosSeed)
    {
        const string run = "e2e-final-cleanup";
        await using var sandbox = await CutOverAsync(chaosSeed, run);
        sandbox.Server.Clock.Advance(TimeSpan.FromDays(8));
        var snapshot = RestoreSwap.Cleanup.FinalSnapshotName(LedgerCluster.Id + "-old");

        // The final snapshot disappears once the old blue is being deleted.
        var http = AfterSucceeded("DeleteDBCluster", () =>
            sandbox.Server.Runtime.Change(() => sandbox.Server.Get<RdsState>().Snapshots.RemoveAll(s => s.Identifier == snapshot)));
        var cleaned = await BlueGreenRecoveryTests.CleanupAsync(sandbox, run, sandbox.CreateAws(http));

        await AssertFinalReadFailedAsync(sandbox, cleaned, "cleanup", "Cleanup", snapshot);
        Assert.Contains($"AWS shows no DB cluster snapshot named {snapshot}", Flat(cleaned), StringComparison.Ordinal);
        Assert.DoesNotContain("Cleaned up", cleaned.Output, StringComparison.Ordinal);
        Assert.Null(sandbox.Server.Runtime.Read(() => OldCluster(sandbox)));
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_dress_rehearsal_whose_measured_times_AWS_shows_overwritten_by_another_run_at_the_end_exits_7_naming_that_run(long chaosSeed)
    {
        const string run = "e2e-final-dress";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        // Once this run has released the lock, another run's rehearsal writes its times over this run's.
        var runIdTag = Forecast.DressRehearsalRecord.RunIdTag;
        var http = AfterSucceeded("RemoveTagsFromResource", () => ChangeCluster(sandbox, LedgerCluster.Id, c =>
        {
            if (c.Tags.All(t => t.Key != State.RekeyTags.Lock) && c.Tags.Any(t => t.Key == runIdTag))
            {
                c.Tags = [.. c.Tags.Where(t => t.Key != runIdTag), new RdsTag(runIdTag, "e2e-other-dress")];
            }
        }));
        var dress = await sandbox.RunAsync(sandbox.CreateAws(http), sandbox.Arguments("DressRehearsal", run, $"--confirm={LedgerCluster.Id}"));

        await AssertFinalReadFailedAsync(sandbox, dress, "dress-rehearsal", "DressRehearsal", "e2e-other-dress");
        Assert.Contains($"AWS shows the dress rehearsal times of run e2e-other-dress on {LedgerCluster.Id}", Flat(dress), StringComparison.Ordinal);
        Assert.DoesNotContain($"Dress rehearsal of {LedgerCluster.Id}: restore", dress.Output, StringComparison.Ordinal);
    }

    /// <summary>A sandbox whose ledger cluster a restore-swap cutover has moved under <paramref name="run"/>.</summary>
    private static async Task<EndToEndSandbox> CutOverAsync(long chaosSeed, string run)
    {
        var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        try
        {
            await BlueGreenRecoveryTests.RequireAsync(sandbox.CutoverAsync(run, null, "--strategy=restore-swap"));
            return sandbox;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>A sandbox with the ledger cluster's Blue/Green deployment and its green provisioned under <paramref name="run"/>.</summary>
    private static async Task<EndToEndSandbox> GreenProvisionedAsync(long chaosSeed, string run)
    {
        var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        try
        {
            await BlueGreenCutoverTests.PrepareAsync(sandbox);
            await BlueGreenRecoveryTests.RequireAsync(BlueGreenRecoveryTests.ProvisionGreenAsync(sandbox, run));
            return sandbox;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>AWS clients that make <paramref name="change"/> behind Rekey's back each time AWS has carried out <paramref name="operation"/>.</summary>
    private static CrashingHttpClientFactory AfterSucceeded(string operation, Action change) => new() { AfterSucceeded = When(operation, change) };

    private static Func<string, Task> When(string operation, Action change) => called =>
    {
        if (called == operation)
        {
            change();
        }

        return Task.CompletedTask;
    };

    /// <summary>The run failed with exit code 7, and its report lists an item of the step's final read as failed, naming <paramref name="naming"/>.</summary>
    private static async Task AssertFinalReadFailedAsync(EndToEndSandbox sandbox, HostResult result, string target, string step, string naming)
    {
        Assert.True(result.ExitCode == ExitCodes.VerificationFailed, result.ToString());
        using var report = await ReportAsync(sandbox, target);
        Assert.Contains(FailedItems(report, step), d => d.Contains(naming, StringComparison.Ordinal));
    }

    private static DbCluster? OldCluster(EndToEndSandbox sandbox) =>
        sandbox.Server.Get<RdsState>().FindCluster(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id + "-old");

    private static void ChangeCluster(EndToEndSandbox sandbox, string id, Action<DbCluster> change) =>
        sandbox.Server.Runtime.Change(() =>
        {
            if (sandbox.Server.Get<RdsState>().FindCluster(LedgerCluster.Account, LedgerCluster.Region, id) is { } cluster)
            {
                change(cluster);
            }

            return 0;
        });

    private static async Task<string> NewKeyAsync(EndToEndSandbox sandbox)
    {
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        return (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "another run's key" })).KeyMetadata.Arn;
    }

    /// <summary>The details of the failed items of the step's final read in the JSON report.</summary>
    private static List<string> FailedItems(JsonDocument report, string step) =>
        [.. report.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("step").GetString() == $"{step} (read from AWS at the end)")
            .SelectMany(c => c.GetProperty("items").EnumerateArray())
            .Where(i => i.GetProperty("outcome").GetString() == "failed")
            .Select(i => i.GetProperty("detail").GetString()!)];

    private static async Task<JsonDocument> ReportAsync(EndToEndSandbox sandbox, string target) =>
        JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-{target}-report.json")));

    /// <summary>The console as one line: the host wraps long messages at its width.</summary>
    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
