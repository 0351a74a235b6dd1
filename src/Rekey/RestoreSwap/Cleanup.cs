using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
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
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.CreateDBClusterSnapshotAsync), nameof(IAmazonRDS.DeleteDBClusterAsync), nameof(IAmazonRDS.DeleteDBInstanceAsync), nameof(IAmazonRDS.ModifyDBClusterAsync), nameof(IAmazonRDS.DeleteBlueGreenDeploymentAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.DeploymentRead, StepRules.Rds(nameof(IAmazonRDS.DescribeDBClusterSnapshotsAsync))) with { MayDeleteOldCluster = true };

    public static string FinalSnapshotName(string oldClusterId) => $"{oldClusterId}-rekey-final";

    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        await DressRehearsal.DressRehearsalForecast.ReportStrayAsync(run, "Cleanup", cancellationToken).ConfigureAwait(false);
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
                $"The cutover of {run.ClusterId} is {Reporting.Durations.Text(now - t1)} old; Cleanup waits {Reporting.Durations.Text(run.Settings.MinAge)} (--min-age) so that Rollback stays possible. " +
                $"Run it after {Tagging.Iso(t1 + run.Settings.MinAge)}, or give a shorter --min-age.");
        }

        await ClusterLock.AcquireAsync(run, source, cancellationToken).ConfigureAwait(false);
        await run.Rds.AddAsync(source.DBClusterArn!, RekeyTags.Phase, "cleaning", cancellationToken).ConfigureAwait(false);

        await TakeFinalSnapshotAsync(run, cancellationToken).ConfigureAwait(false);

        foreach (var instance in await reader.InstancesOfAsync(run.OldClusterId, cancellationToken).ConfigureAwait(false))
        {
            if (instance.DBInstanceStatus == "deleting")
            {
                continue;
            }

            await run.Rds.DeleteDBInstanceAsync(new DeleteDBInstanceRequest { DBInstanceIdentifier = instance.DBInstanceIdentifier, SkipFinalSnapshot = true }, cancellationToken)
                .ConfigureAwait(false);
            run.Journal.Add("Cleanup", $"Deleting old instance {instance.DBInstanceIdentifier}.");
        }

        await run.Wait.UntilAsync(
            $"the old instances to be deleted",
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.InstancesOfAsync(run.OldClusterId, token).ConfigureAwait(false);
                return left.Count == 0 ? Probe<bool>.Ready(true, "none left") : Probe<bool>.NotYet(false, $"{left.Count} left");
            },
            cancellationToken).ConfigureAwait(false);

        var cluster = await reader.FindClusterAsync(run.OldClusterId, cancellationToken).ConfigureAwait(false);
        if (cluster is not null && cluster.Status != "deleting")
        {
            if (cluster.DeletionProtection == true)
            {
                // Lifted only here, on the old cluster, to delete it; the new cluster keeps its own.
                await run.Rds.ModifyDBClusterAsync(
                    new ModifyDBClusterRequest { DBClusterIdentifier = run.OldClusterId, DeletionProtection = false, ApplyImmediately = true }, cancellationToken).ConfigureAwait(false);
            }

            await run.Rds.DeleteDBClusterAsync(new DeleteDBClusterRequest { DBClusterIdentifier = run.OldClusterId, SkipFinalSnapshot = true }, cancellationToken)
                .ConfigureAwait(false);
            run.Journal.Add("Cleanup", $"Deleting the old cluster {run.OldClusterId}; its final snapshot is {FinalSnapshotName(run.OldClusterId)}.");
        }

        await run.Wait.UntilAsync(
            $"the old cluster {run.OldClusterId} to be deleted",
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.FindClusterAsync(run.OldClusterId, token).ConfigureAwait(false);
                return left is null ? Probe<bool>.Ready(true, "deleted") : Probe<bool>.NotYet(false, left.Status ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);

        // The verdict ("cleaned up") is the task's, once it has read the old cluster and the snapshot from AWS again.
    }

    private static async Task TakeFinalSnapshotAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var name = FinalSnapshotName(run.OldClusterId);
        try
        {
            await run.Rds.CreateDBClusterSnapshotAsync(
                new CreateDBClusterSnapshotRequest
                {
                    DBClusterIdentifier = run.OldClusterId,
                    DBClusterSnapshotIdentifier = name,
                    Tags = [new Tag { Key = RekeyTags.Source, Value = run.OldClusterId }, new Tag { Key = RekeyTags.RunId, Value = run.RunId }],
                },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add("Cleanup", $"Taking final snapshot {name} of {run.OldClusterId}.");
        }
        catch (DBClusterSnapshotAlreadyExistsException)
        {
            // Taken by an earlier attempt.
        }

        await run.Wait.UntilAsync(
            $"final snapshot {name} to be available",
            run.Wait.Settings.RestoreDeadline,
            async token =>
            {
                var response = await run.Rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterSnapshotIdentifier = name }, token).ConfigureAwait(false);
                var snapshot = response.DBClusterSnapshots?.FirstOrDefault();
                return snapshot?.Status == "available" ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, snapshot?.Status ?? "not visible yet");
            },
            cancellationToken).ConfigureAwait(false);
    }
}
