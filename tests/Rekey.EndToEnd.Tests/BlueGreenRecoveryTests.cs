using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.RDS;
using Rekey.Strategies;
using Rekey.BlueGreen;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// A Blue/Green cutover of the Aurora PostgreSQL ledger from every state it can stop in: the sequences after
/// the switchover, a switchover AWS rolls back, Rollback before, during and after the switchover, and Cleanup.
/// </summary>
public sealed class BlueGreenRecoveryTests
{
    private const string OldBlue = LedgerCluster.Id + "-old1";

    [Theory]
    [ChaosSeeds]
    public async Task Without_sequences_advanced_the_switchover_run_stops_at_VerifyBlueGreen_with_exit_code_7_and_the_setval_query_and_a_rerun_with_the_flag_finishes(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);

        var switched = await sandbox.CutoverAsync("e2e-bg-sequences", null, "--strategy=blue-green");

        Assert.True(switched.ExitCode == ExitCodes.VerificationFailed, switched.ToString());
        Assert.Contains(VerifyBlueGreen.SequenceQuery, Flat(switched), StringComparison.Ordinal);
        Assert.Contains("--sequences-advanced", Flat(switched), StringComparison.Ordinal);
        Assert.Equal(BlueGreenStatus.SwitchoverCompleted, Deployment(sandbox).Status);
        Assert.True(await IsLockedAsync(sandbox, OldBlue), "the lock is kept until the cutover is verified");

        var again = await BlueGreenCutoverTests.VerifyAsync(sandbox, "e2e-bg-sequences");
        Assert.True(again.ExitCode == ExitCodes.VerificationFailed, again.ToString());
        Assert.Contains(VerifyBlueGreen.SequenceQuery, Flat(again), StringComparison.Ordinal);

        var finished = await BlueGreenCutoverTests.VerifyAsync(sandbox, "e2e-bg-sequences", null, "--sequences-advanced");
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.False(await IsLockedAsync(sandbox, OldBlue), "a verified cutover releases the lock");
    }

    [Theory]
    [ChaosSeeds]
    public async Task VerifyBlueGreen_in_the_second_the_switchover_completed_asks_CloudWatch_for_a_well_formed_window_and_passes(long chaosSeed)
    {
        const string run = "e2e-bg-same-second";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var switched = await sandbox.CutoverAsync(run, null, "--strategy=blue-green");
        Assert.True(switched.ExitCode == ExitCodes.VerificationFailed, switched.ToString());

        // AWS's clock stands still in the second the switchover completed: the switchover time and VerifyBlueGreen's "now"
        // are then the same whole-second Date, and a window from one to the other is empty.
        var server = sandbox.Server;
        var now = server.Runtime.Change(server.Clock.Pause);
        try
        {
            using (var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region))
            {
                var oldBlue = await ClusterAsync(sandbox, OldBlue);
                await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest
                {
                    ResourceName = oldBlue.DBClusterArn,
                    Tags = [new Tag { Key = BlueGreenDeployments.SwitchedAtTag, Value = State.Tagging.Iso(now) }],
                });
            }

            var verified = await BlueGreenCutoverTests.VerifyAsync(sandbox, run, null, "--sequences-advanced");

            Assert.True(verified.ExitCode == 0, verified.ToString());
            var windows = verified.Calls.Where(c => c.Operation == "GetMetricData").ToList();
            Assert.NotEmpty(windows);
            Assert.All(windows, c => Assert.Null(c.ErrorCode));
        }
        finally
        {
            server.Runtime.Change(server.Clock.Resume);
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task Sequences_advanced_given_to_the_run_that_switches_over_does_not_count_and_a_rerun_with_it_finishes(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);

        var switched = await sandbox.CutoverAsync("e2e-bg-sequences-early", null, "--strategy=blue-green", "--sequences-advanced");

        Assert.True(switched.ExitCode == ExitCodes.VerificationFailed, switched.ToString());
        Assert.Contains(VerifyBlueGreen.SequenceQuery, Flat(switched), StringComparison.Ordinal);
        Assert.Contains("counts only on a run after the switchover", Flat(switched), StringComparison.Ordinal);
        Assert.Equal(BlueGreenStatus.SwitchoverCompleted, Deployment(sandbox).Status);

        var rerun = await sandbox.CutoverAsync("e2e-bg-sequences-early", null, "--strategy=blue-green", "--sequences-advanced");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.DoesNotContain(rerun.MutatingCalls, c => c.Operation == "SwitchoverBlueGreenDeployment");
        Assert.False(await IsLockedAsync(sandbox, OldBlue), "a verified cutover releases the lock");
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_green_not_on_the_target_key_stops_the_cutover_at_VerifyGreen_with_exit_code_7_before_any_switchover(long chaosSeed)
    {
        const string run = "e2e-bg-verify-green";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(ProvisionGreenAsync(sandbox, run));
        var blue = await ClusterAsync(sandbox, LedgerCluster.Id);

        // Green as it would be if RDS had not used the target key.
        sandbox.Server.Runtime.Change(() =>
        {
            var rds = sandbox.Server.Get<RdsState>();
            var deployment = rds.BlueGreenDeployments.Single();
            return rds.ClusterByResourceId(deployment.TargetClusterResourceId)!.KmsKeyId = blue.KmsKeyId;
        });
        var result = await BlueGreenCutoverTests.CutoverAsync(sandbox, run);

        Assert.True(result.ExitCode == ExitCodes.VerificationFailed, result.ToString());
        Assert.Contains("VerifyGreen found 1 problem(s); nothing was switched", Flat(result), StringComparison.Ordinal);
        Assert.Contains("not the target key", Flat(result), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Calls, c => c.Operation == "SwitchoverBlueGreenDeployment");
        Assert.Equal(BlueGreenStatus.Available, Deployment(sandbox).Status);
        Assert.Equal(blue.DbClusterResourceId, (await ClusterAsync(sandbox, LedgerCluster.Id)).DbClusterResourceId);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_deployment_member_not_AVAILABLE_stops_the_cutover_at_VerifyGreen_with_exit_code_7_before_any_switchover(long chaosSeed)
    {
        const string run = "e2e-bg-member";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(ProvisionGreenAsync(sandbox, run));

        // The deployment AVAILABLE, as WaitForGreen requires, but one green member still being provisioned.
        sandbox.Server.Runtime.Change(() => Deployment(sandbox).Members.Last().Status = BlueGreenStatus.Provisioning);
        var result = await BlueGreenCutoverTests.CutoverAsync(sandbox, run);

        Assert.True(result.ExitCode == ExitCodes.VerificationFailed, result.ToString());
        Assert.Contains("VerifyGreen found 1 problem(s); nothing was switched", Flat(result), StringComparison.Ordinal);
        Assert.Contains("is PROVISIONING, not AVAILABLE", Flat(result), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Calls, c => c.Operation == "SwitchoverBlueGreenDeployment");
        Assert.Equal(BlueGreenStatus.Available, Deployment(sandbox).Status);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Without_replication_lag_data_VerifyGreen_waits_then_stops_the_cutover_with_exit_code_7_naming_the_metric_and_once_data_comes_a_rerun_switches_over(long chaosSeed)
    {
        const string run = "e2e-bg-no-lag";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(ProvisionGreenAsync(sandbox, run));
        var blue = await ClusterAsync(sandbox, LedgerCluster.Id);

        // CloudWatch answers no data points, as for a metric RDS does not publish.
        sandbox.AddFault(new FaultRule { Kind = FaultKind.NoMetricData, MetricName = "OldestReplicationSlotLag" });
        var result = await BlueGreenCutoverTests.CutoverAsync(sandbox, run, null, "--max-wait=2s");

        Assert.True(result.ExitCode == ExitCodes.VerificationFailed, result.ToString());
        Assert.Contains("Waiting for CloudWatch data for AWS/RDS OldestReplicationSlotLag", Flat(result), StringComparison.Ordinal);
        Assert.Contains($"no data points for AWS/RDS OldestReplicationSlotLag with dimension DBInstanceIdentifier={LedgerCluster.Writer}", Flat(result), StringComparison.Ordinal);
        Assert.Contains("rds.logical_replication", Flat(result), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Calls, c => c.Operation == "SwitchoverBlueGreenDeployment");
        Assert.Equal(BlueGreenStatus.Available, Deployment(sandbox).Status);

        sandbox.Server.Faults.Clear();
        var resumed = await BlueGreenCutoverTests.CutoverAsync(sandbox, run);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await AssertSwitchedOverAsync(sandbox, blue);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_switchover_AWS_cancels_at_the_long_running_write_guardrail_exits_5_naming_the_cause_with_blue_as_it_was_and_a_later_Cutover_switches_over(long chaosSeed)
    {
        const string run = "e2e-bg-guardrail";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(ProvisionGreenAsync(sandbox, run));
        var blue = await ClusterAsync(sandbox, LedgerCluster.Id);

        // A write transaction on blue that lasts until the test ends it below, however slow the machine (a year of sandbox time).
        var applications = sandbox.Server.Get<SimulatedApplications>();
        var connection = applications.Open(blue.Endpoint!, LedgerCluster.Account, LedgerCluster.Region);
        applications.Run(connection.Id, RunningStatement.Write, "UPDATE ledger SET balance = balance", TimeSpan.FromDays(365));

        var failed = await BlueGreenCutoverTests.CutoverAsync(sandbox, run, null, "--switchover-timeout=3600");

        Assert.True(failed.ExitCode == ExitCodes.AwsFailure, failed.ToString());
        Assert.Contains("guardrail", Flat(failed), StringComparison.Ordinal);
        Assert.Contains("long-running write transactions", Flat(failed), StringComparison.Ordinal);
        Assert.Contains("run Cutover again", Flat(failed), StringComparison.Ordinal);
        await AssertBlueAsItWasAsync(sandbox, blue);

        // The transaction ends.
        sandbox.Server.Runtime.Change(() => sandbox.Server.Get<RdsState>().FindCluster(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id)!.RunningStatements.RemoveAll(_ => true));
        var resumed = await BlueGreenCutoverTests.CutoverAsync(sandbox, run);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await AssertSwitchedOverAsync(sandbox, blue);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_switchover_AWS_rolls_back_at_its_timeout_exits_6_naming_the_timeout_with_blue_as_it_was_and_a_later_Cutover_switches_over(long chaosSeed)
    {
        const string run = "e2e-bg-timeout";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(ProvisionGreenAsync(sandbox, run));
        var blue = await ClusterAsync(sandbox, LedgerCluster.Id);

        // The catch-up never finishes: AWS keeps writes blocked until the timeout, then rolls everything back.
        sandbox.AddFault(new FaultRule { Kind = FaultKind.FailAsync, Service = "rds", Operation = "SwitchoverBlueGreenDeployment", Count = 1 });
        var failed = await BlueGreenCutoverTests.CutoverAsync(sandbox, run, null, "--switchover-timeout=600");

        Assert.True(failed.ExitCode == ExitCodes.WaitTimedOut, failed.ToString());
        Assert.Contains("600 s switchover timeout", Flat(failed), StringComparison.Ordinal);
        Assert.Contains("raise --switchover-timeout", Flat(failed), StringComparison.Ordinal);
        Assert.Contains("run Cutover again", Flat(failed), StringComparison.Ordinal);
        await AssertBlueAsItWasAsync(sandbox, blue);

        var resumed = await BlueGreenCutoverTests.CutoverAsync(sandbox, run);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        await AssertSwitchedOverAsync(sandbox, blue);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Rollback_before_the_switchover_deletes_the_deployment_with_green_and_leaves_blue_as_it_was(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var before = await AccountState.ReadAsync(sandbox.Aws);
        await RequireAsync(ProvisionGreenAsync(sandbox, "e2e-bg-rollback"));
        Assert.Single((await AccountState.ReadAsync(sandbox.Aws)).Of("deployment"));

        var result = await sandbox.RollbackAsync("e2e-bg-rollback");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.MutatingCalls, c => c.Operation == "DeleteBlueGreenDeployment");
        var after = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Empty(after.Of("deployment"));
        Assert.Equal(before.Of("cluster"), after.Of("cluster"));
        Assert.Equal(before.Of("instance"), after.Of("instance"));
        Assert.Equal(before.Of("endpoint"), after.Of("endpoint"));
    }

    [Theory]
    [ChaosSeeds(Every = true)]
    public async Task Rollback_during_the_switchover_refuses_with_no_mutating_call_and_once_AWS_rolled_it_back_deletes_the_deployment_leaving_blue_as_it_was(long chaosSeed)
    {
        const string run = "e2e-bg-rollback-during";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var before = await AccountState.ReadAsync(sandbox.Aws);
        await RequireAsync(ProvisionGreenAsync(sandbox, run));

        // A switchover that hangs, held in progress for as long as the test needs: the sandbox clock stops, so AWS's
        // switchover timeout lapses only when the test moves the clock past it, never because the machine was slow.
        sandbox.AddFault(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "SwitchoverBlueGreenDeployment", Count = 1 });
        const int switchoverTimeout = 600;
        var requestedAt = sandbox.Server.Runtime.Change(sandbox.Server.Clock.Pause);
        using (var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region))
        {
            await rds.SwitchoverBlueGreenDeploymentAsync(new SwitchoverBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = Deployment(sandbox).Identifier, SwitchoverTimeout = switchoverTimeout });
        }

        var refused = await sandbox.RollbackAsync(run);

        Assert.True(refused.ExitCode == ExitCodes.Failed, refused.ToString());
        Assert.Empty(refused.MutatingCalls);
        Assert.Contains("is in progress", Flat(refused), StringComparison.Ordinal);
        Assert.Contains("Rollback changed nothing", Flat(refused), StringComparison.Ordinal);
        Assert.Equal(requestedAt, sandbox.Server.Clock.Now);
        Assert.Equal(BlueGreenStatus.SwitchoverInProgress, Deployment(sandbox).Status);

        // A second before AWS's timeout the switchover is still in progress; at the timeout it is rolled back and blue is as it was.
        sandbox.Server.Runtime.Change(() => sandbox.Server.Clock.Advance(TimeSpan.FromSeconds(switchoverTimeout - 1)));
        Assert.Equal(BlueGreenStatus.SwitchoverInProgress, Deployment(sandbox).Status);
        sandbox.Server.Runtime.Change(() => sandbox.Server.Clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal(BlueGreenStatus.SwitchoverFailed, Deployment(sandbox).Status);
        sandbox.Server.Runtime.Change(sandbox.Server.Clock.Resume);
        var rolledBack = await sandbox.RollbackAsync(run);

        Assert.True(rolledBack.ExitCode == 0, rolledBack.ToString());
        var after = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Empty(after.Of("deployment"));
        Assert.Equal(before.Of("cluster"), after.Of("cluster"));
        Assert.Equal(before.Of("instance"), after.Of("instance"));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Rollback_after_the_switchover_explains_the_lost_writes_and_refuses_with_no_mutating_call_and_restore_swap_back_names_the_way_back_from_aws_rds(long chaosSeed)
    {
        const string run = "e2e-bg-rollback-after";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(BlueGreenCutoverTests.CutoverAsync(sandbox, run));
        var before = await AccountState.ReadAsync(sandbox.Aws);

        var refused = await sandbox.RollbackAsync(run);

        Assert.True(refused.ExitCode == ExitCodes.Failed, refused.ToString());
        Assert.Empty(refused.MutatingCalls);
        Assert.Contains($"The old blue {OldBlue} stopped receiving writes at the switchover", Flat(refused), StringComparison.Ordinal);
        Assert.Contains("--restore-swap-back", Flat(refused), StringComparison.Ordinal);

        var restoreSwapBack = await sandbox.RollbackAsync(run, null, "--restore-swap-back");

        Assert.True(restoreSwapBack.ExitCode == ExitCodes.Failed, restoreSwapBack.ToString());
        Assert.Empty(restoreSwapBack.MutatingCalls);
        Assert.Contains("the AWS managed key aws/rds", Flat(restoreSwapBack), StringComparison.Ordinal);
        Assert.Contains("Rekey cannot do it", Flat(restoreSwapBack), StringComparison.Ordinal);
        Assert.Contains("copy-db-cluster-snapshot", Flat(restoreSwapBack), StringComparison.Ordinal);
        Assert.Equal(before.Lines, (await AccountState.ReadAsync(sandbox.Aws)).Lines);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Cleanup_before_min_age_refuses_with_no_mutating_call_and_after_it_snapshots_and_deletes_the_old_blue_and_the_deployment(long chaosSeed)
    {
        const string run = "e2e-bg-cleanup";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await RequireAsync(BlueGreenCutoverTests.CutoverAsync(sandbox, run));

        var early = await CleanupAsync(sandbox, run);

        Assert.True(early.ExitCode == ExitCodes.Failed, early.ToString());
        Assert.Empty(early.MutatingCalls);
        Assert.Contains("--min-age", Flat(early), StringComparison.Ordinal);
        Assert.NotNull(await FindClusterAsync(sandbox, OldBlue));

        sandbox.Server.Clock.Advance(TimeSpan.FromDays(8));
        var cleaned = await CleanupAsync(sandbox, run);

        Assert.True(cleaned.ExitCode == 0, cleaned.ToString());
        var operations = cleaned.MutatingCalls.Select(c => c.Operation).ToList();
        Assert.Contains("DeleteBlueGreenDeployment", operations);
        Assert.True(operations.IndexOf("CreateDBClusterSnapshot") < operations.IndexOf("DeleteDBCluster"), string.Join(", ", operations));
        var after = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Empty(after.Of("deployment"));
        Assert.Null(await FindClusterAsync(sandbox, OldBlue));
        Assert.Contains($"snapshot {RestoreSwap.Cleanup.FinalSnapshotName(OldBlue)} of {OldBlue} available", after.Lines);
        Assert.Single(after.Of("cluster"));
        Assert.Equal(2, after.Of("instance").Count());
    }

    /// <summary>The console as one line: the host wraps long messages at its width.</summary>
    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    internal static Task<HostResult> ProvisionGreenAsync(EndToEndSandbox sandbox, string runId, Rekey.Aws.IAwsClientFactory? aws = null) =>
        sandbox.RunAsync(aws, sandbox.Arguments("ProvisionGreen", runId, $"--confirm={LedgerCluster.Id}", "--strategy=blue-green"));

    internal static Task<HostResult> CleanupAsync(EndToEndSandbox sandbox, string runId, Rekey.Aws.IAwsClientFactory? aws = null) =>
        sandbox.RunAsync(aws, sandbox.Arguments("Cleanup", runId, $"--confirm={LedgerCluster.Id}"));

    internal static async Task RequireAsync(Task<HostResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static Sandbox.RDS.BlueGreenDeployment Deployment(EndToEndSandbox sandbox) =>
        sandbox.Server.Runtime.Read(() => sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single());

    private static async Task<DBCluster> ClusterAsync(EndToEndSandbox sandbox, string id) =>
        await FindClusterAsync(sandbox, id) ?? throw new InvalidOperationException($"{id} does not exist.");

    private static async Task<DBCluster?> FindClusterAsync(EndToEndSandbox sandbox, string id)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var all = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters ?? [];
        return all.FirstOrDefault(c => c.DBClusterIdentifier == id);
    }

    private static async Task<bool> IsLockedAsync(EndToEndSandbox sandbox, string id) =>
        (await ClusterAsync(sandbox, id)).TagList?.Any(t => t.Key == State.RekeyTags.Lock) == true;

    /// <summary>Blue under its name, on its key, with its storage, and taking writes; no cluster was renamed.</summary>
    private static async Task AssertBlueAsItWasAsync(EndToEndSandbox sandbox, DBCluster blue)
    {
        var now = await ClusterAsync(sandbox, LedgerCluster.Id);
        Assert.Equal(blue.DbClusterResourceId, now.DbClusterResourceId);
        Assert.Equal(blue.KmsKeyId, now.KmsKeyId);
        Assert.Equal(blue.Endpoint, now.Endpoint);
        Assert.Equal("available", now.Status);
        Assert.Null(await FindClusterAsync(sandbox, OldBlue));
        Assert.Equal(BlueGreenStatus.SwitchoverFailed, Deployment(sandbox).Status);

        var connection = await sandbox.Api.OpenAsync(blue.Endpoint!, LedgerCluster.Account, LedgerCluster.Region, CancellationToken.None);
        Assert.NotNull(connection);
        var write = await sandbox.Api.WriteAsync(connection.Id, "after-rolled-back-switchover", "x", CancellationToken.None);
        Assert.True(write.Acknowledged, write.Error);
        Assert.Equal(blue.DbClusterResourceId, write.ClusterResourceId);
    }

    private static async Task AssertSwitchedOverAsync(EndToEndSandbox sandbox, DBCluster blue)
    {
        var now = await ClusterAsync(sandbox, LedgerCluster.Id);
        Assert.NotEqual(blue.DbClusterResourceId, now.DbClusterResourceId);
        Assert.NotEqual(blue.KmsKeyId, now.KmsKeyId);
        Assert.Equal(blue.Endpoint, now.Endpoint);
        Assert.Equal(blue.DbClusterResourceId, (await ClusterAsync(sandbox, OldBlue)).DbClusterResourceId);
        Assert.Equal(BlueGreenStatus.SwitchoverCompleted, Deployment(sandbox).Status);
    }
}
