using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.KeyManagementService.Model;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.RDS;
using Rekey.BlueGreen;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// What a run reports is what AWS shows: a check without data is not measured (and not passed), the final verdict is
/// read from AWS and compared with the run's key, a switchover an earlier run left in progress is waited for, and the
/// finishing command a stopped run prints works as printed.
/// </summary>
public sealed partial class TruthfulVerdictTests
{
    private const string OldBlue = LedgerCluster.Id + "-old1";

    [Theory]
    [ChaosSeeds]
    public async Task Verify_without_any_CloudWatch_commit_data_after_T1_says_not_measured_and_exits_7_and_once_the_data_is_there_passes_with_the_count(long chaosSeed)
    {
        const string run = "e2e-verify-no-commits";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var cutover = await sandbox.CutoverAsync(run);
        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        var keyArn = await KeyArnAsync(sandbox, LedgerCluster.KeyAlias);
        Assert.Contains($"{LedgerCluster.Id} now uses {keyArn}", Flat(cutover), StringComparison.Ordinal);
        using (var report = await ReportAsync(sandbox, "cutover"))
        {
            var final = report.RootElement.GetProperty("final");
            Assert.Equal(keyArn, final.GetProperty("kmsKeyArn").GetString());
            Assert.False(final.TryGetProperty("lockHolder", out _), "a finished cutover leaves the lock free");
        }

        // CloudWatch holds no datapoint at all for the old cluster's commits.
        sandbox.AddFault(new FaultRule { Kind = FaultKind.NoMetricData, MetricName = "CommitThroughput" });
        var blind = await sandbox.RunAsync(sandbox.Arguments("Verify", run, "--exclusive", "--max-wait=1s"));

        Assert.True(blind.ExitCode == ExitCodes.VerificationFailed, blind.ToString());
        Assert.Contains("not measured: no commit on the old cluster after T1", Flat(blind), StringComparison.Ordinal);
        Assert.Contains($"DBClusterIdentifier={LedgerCluster.Id}-old", Flat(blind), StringComparison.Ordinal);
        Assert.Empty(blind.MutatingCalls);
        using (var report = await ReportAsync(sandbox, "verify"))
        {
            var verification = report.RootElement.GetProperty("verification");
            Assert.False(verification.GetProperty("passed").GetBoolean());
            Assert.False(verification.TryGetProperty("commitsOnOldClusterAfterT1", out _));
            Assert.DoesNotContain(verification.GetProperty("checked").EnumerateArray(), c => c.GetString()!.Contains("commit", StringComparison.Ordinal));
            Assert.Equal("no commit on the old cluster after T1", verification.GetProperty("notMeasured")[0].GetProperty("what").GetString());
            Assert.Contains("not measured", await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-verify-report.md")), StringComparison.Ordinal);
        }

        sandbox.Server.Faults.Clear();
        var measured = await sandbox.RunAsync(sandbox.Arguments("Verify", run, "--exclusive"));

        Assert.True(measured.ExitCode == 0, measured.ToString());
        using (var report = await ReportAsync(sandbox, "verify"))
        {
            Assert.Equal(0, report.RootElement.GetProperty("verification").GetProperty("commitsOnOldClusterAfterT1").GetDouble());
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_cutover_whose_cluster_AWS_shows_on_another_key_at_the_end_exits_7_naming_both_keys_and_never_says_now_uses(long chaosSeed)
    {
        const string run = "e2e-bg-other-key";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var stopped = await sandbox.CutoverAsync(run, null, "--strategy=blue-green");
        Assert.True(stopped.ExitCode == ExitCodes.VerificationFailed, stopped.ToString());
        var mine = await KeyArnAsync(sandbox, LedgerCluster.KeyAlias);
        string theirs;
        using (var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region))
        {
            theirs = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "another run's key" })).KeyMetadata.Arn;
        }

        // Another run moves the cluster to its key once this run's checks are behind it (when this run frees the lock).
        var http = new CrashingHttpClientFactory
        {
            AfterSucceeded = operation =>
            {
                if (operation == "RemoveTagsFromResource")
                {
                    sandbox.Server.Runtime.Change(() =>
                    {
                        var rds = sandbox.Server.Get<RdsState>();
                        if (rds.FindCluster(LedgerCluster.Account, LedgerCluster.Region, OldBlue)!.Tags.All(t => t.Key != State.RekeyTags.Lock))
                        {
                            rds.FindCluster(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id)!.KmsKeyId = theirs;
                        }

                        return 0;
                    });
                }

                return Task.CompletedTask;
            },
        };
        var finished = await sandbox.CutoverAsync(run, sandbox.CreateAws(http), "--strategy=blue-green", "--sequences-advanced");

        Assert.True(finished.ExitCode == ExitCodes.VerificationFailed, finished.ToString());
        Assert.Contains($"AWS shows {LedgerCluster.Id} encrypted with {theirs}, not this run's key {mine}", Flat(finished), StringComparison.Ordinal);
        Assert.DoesNotContain("now uses", finished.Output, StringComparison.Ordinal);
        using var report = await ReportAsync(sandbox, "cutover");
        Assert.False(report.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.Equal(theirs, report.RootElement.GetProperty("final").GetProperty("kmsKeyArn").GetString());
        Assert.Equal(mine, report.RootElement.GetProperty("final").GetProperty("expectedKeyArn").GetString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_rerun_while_a_stopped_runs_switchover_is_in_progress_waits_for_it_goes_on_from_the_completed_switchover_and_the_printed_finishing_command_succeeds(long chaosSeed)
    {
        const string run = "e2e-bg-resume-switching";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await StopDuringSwitchoverAsync(sandbox, run);
        var before = sandbox.Server.Calls.Snapshot().Count;

        var rerun = sandbox.CutoverAsync(run, null, "--strategy=blue-green");

        // Once the rerun only looks at the deployment, it is waiting: AWS completes the switchover.
        await UntilAsync(() => WaitsOnTheDeployment(sandbox, before), rerun);
        sandbox.Server.Runtime.Change(() =>
        {
            var deployment = sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single();
            deployment.SwitchoverOutcome = PendingTransition.Succeeds;
            if (deployment.WritesBlockedFrom is not null)
            {
                deployment.SwitchoverCompletesAt = sandbox.Server.Clock.Now;
            }

            return 0;
        });
        var resumed = await rerun;

        // Switched over, not "nothing was switched": the rerun stops where a completed switchover stops, for the sequences.
        Assert.True(resumed.ExitCode == ExitCodes.VerificationFailed, resumed.ToString());
        Assert.Contains($"Waiting for the switchover of {LedgerCluster.Id}", Flat(resumed), StringComparison.Ordinal);
        Assert.DoesNotContain("nothing was switched", Flat(resumed), StringComparison.Ordinal);
        Assert.Contains($"{LedgerCluster.Id} was switched over already", Flat(resumed), StringComparison.Ordinal);
        Assert.Contains(VerifyBlueGreen.SequenceQuery, Flat(resumed), StringComparison.Ordinal);
        Assert.DoesNotContain(resumed.Calls, c => c.Operation == "SwitchoverBlueGreenDeployment");
        Assert.Equal(BlueGreenStatus.SwitchoverCompleted, Deployment(sandbox).Status);

        // The finishing command, run as printed (the environment gives the endpoints, DNS server and artifacts folder).
        var printed = FinishingCommand().Match(Flat(resumed));
        Assert.True(printed.Success, resumed.ToString());
        Assert.Contains($"--run-id={run}", printed.Value, StringComparison.Ordinal);
        var finished = await sandbox.RunAsync(
            [.. printed.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1), $"--dns-server=127.0.0.1:{sandbox.Server.DnsPort}", "--poll-interval=0.02s", "--max-wait=20s", $"--artifacts={sandbox.ArtifactsDirectory}"]);

        Assert.True(finished.ExitCode == 0, finished.ToString());
        var oldBlue = await ClusterAsync(sandbox, OldBlue);
        Assert.DoesNotContain(oldBlue.TagList ?? [], t => t.Key == State.RekeyTags.Lock);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_rerun_while_a_stopped_runs_switchover_stays_in_progress_past_the_deadline_exits_6_changing_nothing(long chaosSeed)
    {
        const string run = "e2e-bg-switching-long";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await StopDuringSwitchoverAsync(sandbox, run);

        var rerun = await sandbox.CutoverAsync(run, null, "--strategy=blue-green", "--max-wait=1s");

        Assert.True(rerun.ExitCode == ExitCodes.WaitTimedOut, rerun.ToString());
        Assert.Contains("asked for by an earlier run, is still SWITCHOVER_IN_PROGRESS", Flat(rerun), StringComparison.Ordinal);
        Assert.Contains("This run changed nothing. Run Cutover again (same --run-id)", Flat(rerun), StringComparison.Ordinal);
        Assert.DoesNotContain("VerifyGreen found", Flat(rerun), StringComparison.Ordinal);
        Assert.Empty(rerun.MutatingCalls);
        Assert.Equal(BlueGreenStatus.SwitchoverInProgress, Deployment(sandbox).Status);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_that_may_not_read_the_key_policy_lists_the_key_use_as_not_measured_and_refuses_with_exit_3(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var key = await sandbox.RunAsync(sandbox.Arguments("PrepareKey", "e2e-preflight-blind", $"--confirm={LedgerCluster.Id}", "--exclusive"));
        Assert.True(key.ExitCode == 0, key.ToString());
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Fail, Service = "kms", Operation = "GetKeyPolicy", ErrorCode = "AccessDeniedException", HttpStatus = 400, Count = 10 });

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-preflight-blind"));

        Assert.True(result.ExitCode == ExitCodes.RefusedByPreflight, result.ToString());
        Assert.Contains("cannot prove RDS may use the key for it (not measured)", Flat(result), StringComparison.Ordinal);
        using var report = await ReportAsync(sandbox, "preflight");
        var item = Assert.Single(
            Assert.Single(report.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("step").GetString() == "Preflight").GetProperty("items").EnumerateArray(),
            i => i.GetProperty("what").GetString()!.StartsWith("the key policy of", StringComparison.Ordinal));
        Assert.Equal("not-measured", item.GetProperty("outcome").GetString());
        Assert.Contains("kms:GetKeyPolicy", item.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("aws kms get-key-policy", item.GetProperty("lookInstead").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// ProvisionGreen, then a Cutover whose runner dies right after AWS accepted the switchover, which AWS then holds
    /// in progress until the test decides (a catch-up that does not finish, under a timeout the test keeps far away).
    /// </summary>
    private static async Task StopDuringSwitchoverAsync(EndToEndSandbox sandbox, string run)
    {
        await BlueGreenRecoveryTests.RequireAsync(BlueGreenRecoveryTests.ProvisionGreenAsync(sandbox, run));
        sandbox.AddFault(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "SwitchoverBlueGreenDeployment", Count = 1 });
        var http = new CrashingHttpClientFactory
        {
            AfterSucceeded = operation =>
            {
                if (operation != "SwitchoverBlueGreenDeployment")
                {
                    return Task.CompletedTask;
                }

                sandbox.Server.Runtime.Change(() => sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single().SwitchoverTimeout = 100_000_000);
                throw new SimulatedCrashException("The runner died right after the switchover was asked for.");
            },
        };
        var killed = await sandbox.CutoverAsync(run, sandbox.CreateAws(http), "--strategy=blue-green", "--switchover-timeout=3600");
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal(BlueGreenStatus.SwitchoverInProgress, Deployment(sandbox).Status);
    }

    /// <summary>The last calls since <paramref name="from"/> all describe the deployment: the run is in a wait on it.</summary>
    private static bool WaitsOnTheDeployment(EndToEndSandbox sandbox, int from)
    {
        var calls = sandbox.Server.Calls.Snapshot().Skip(from).ToList();
        return calls.Count > 8 && calls.TakeLast(5).All(c => c.Operation == "DescribeBlueGreenDeployments");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails if <paramref name="run"/> ends first or 30 s pass.</summary>
    private static async Task UntilAsync(Func<bool> condition, Task<HostResult> run)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (run.IsCompleted)
            {
                Assert.Fail($"The run ended before it waited: {await run}");
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The run did not start waiting on the deployment within 30 s.");
            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"\./build\.sh --target=VerifyBlueGreen( --\S+)+")]
    private static partial Regex FinishingCommand();

    private static async Task<string> KeyArnAsync(EndToEndSandbox sandbox, string alias)
    {
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        return (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn;
    }

    private static async Task<JsonDocument> ReportAsync(EndToEndSandbox sandbox, string target) =>
        JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-{target}-report.json")));

    private static Sandbox.RDS.BlueGreenDeployment Deployment(EndToEndSandbox sandbox) =>
        sandbox.Server.Runtime.Read(() => sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single());

    private static async Task<DBCluster> ClusterAsync(EndToEndSandbox sandbox, string id)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var all = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters ?? [];
        return all.Single(c => c.DBClusterIdentifier == id);
    }

    /// <summary>The console as one line: the host wraps long messages at its width.</summary>
    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
