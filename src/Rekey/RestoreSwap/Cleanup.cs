using Rekey.Aws.RDS;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Safety;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// After the holding period (<c>--min-age</c> since T1), takes a final snapshot of the old cluster and
/// deletes its instances and the cluster itself. The only step that deletes the old cluster's data.
/// </summary>
public static class Cleanup
{
    /// <summary>
    /// Both strategies' cleanups: the only step that deletes the old cluster, after its final snapshot. It takes the lock
    /// itself, on the old cluster it deletes (which takes the lock with it), so the guard only refuses another run's.
    /// </summary>
    public static StepRules Rules { get; } = StepRules.Of(
        "Cleanup", LockRule.NotHeldByAnother, ClusterExpectation.CutoverFinished, checksTargetKey: false,
        StepRules.RdsTags, StepRules.Rds(
            nameof(IAmazonRDS.CreateDBClusterSnapshotAsync),
            nameof(IAmazonRDS.DeleteDBClusterAsync),
            nameof(IAmazonRDS.DeleteDBInstanceAsync),
            nameof(IAmazonRDS.ModifyDBClusterAsync),
            nameof(IAmazonRDS.DeleteBlueGreenDeploymentAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.DeploymentRead, StepRules.Rds(nameof(IAmazonRDS.DescribeDBClusterSnapshotsAsync))) with { MayDeleteOldCluster = true };

    public static string FinalSnapshotName(string oldClusterId) => $"{oldClusterId}-rekey-final";

    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        await Forecast.DressRehearsalForecast.ReportStrayAsync(run, "Cleanup", cancellationToken).ConfigureAwait(false);
        if (state.Source is null && state.Target is not null)
        {
            run.Journal.Add("Cleanup", $"The old cluster {run.OldClusterId} is gone already; nothing to clean up.");
            return;
        }

        var source = state.IsRenamed ? state.Source! : throw new InvalidOperationException($"{run.ClusterId} has no finished cutover: there is no old cluster to clean up.");
        if (state.Target is null || state.Phase is not ("finalized" or "verified" or "cleaning"))
        {
            throw new InvalidOperationException($"The cutover of {run.ClusterId} has not finished (phase {state.Phase ?? "none"}); finish it or Rollback before Cleanup.");
        }

        var t1 = state.T1 ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} carries no T1.");
        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        if (now - t1 < run.Settings.MinAge)
        {
            throw new InvalidOperationException(
                $"The cutover of {run.ClusterId} is {Reporting.Durations.Text(now - t1)} old; Cleanup waits {Reporting.Durations.Text(run.Settings.MinAge)} (--min-age) "
                + "so that Rollback stays possible. " +
                $"Run it after {Tagging.Iso(t1 + run.Settings.MinAge)}, or give a shorter --min-age.");
        }

        await ClusterLock.AcquireAsync(run, source, cancellationToken).ConfigureAwait(false);
        await run.Rds.AddAsync(source.DBClusterArn!, RekeyTags.Phase, "cleaning", cancellationToken).ConfigureAwait(false);

        // The same deletion as Blue/Green's old blue: final snapshot, instances, cluster, each read from AWS first so a rerun goes on.
        await Strategies.OldClusterDeletion.DeleteWithFinalSnapshotAsync(run, run.OldClusterId, "Cleanup", cancellationToken).ConfigureAwait(false);

        // The verdict ("cleaned up") is the task's, once it has read the old cluster and the snapshot from AWS again.
    }
}
