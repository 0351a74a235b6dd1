using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.RestoreSwap;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;

namespace Rekey.Strategies;

/// <summary>Deletes an old cluster after a final snapshot: its instances, then the cluster. Each part reads AWS first, so a rerun continues.</summary>
internal static class OldClusterDeletion
{
    public static async Task DeleteWithFinalSnapshotAsync(RekeyRun run, string clusterId, string step, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var name = Cleanup.FinalSnapshotName(clusterId);
        if (await reader.FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false) is { } present && present.Status != "deleting")
        {
            await TakeFinalSnapshotAsync(run, clusterId, name, step, cancellationToken).ConfigureAwait(false);
        }

        await DeleteInstancesAsync(
            run, reader, clusterId, $"the instances of {clusterId} to be deleted", id => (step, $"Deleting old instance {id}."), cancellationToken).ConfigureAwait(false);
        await DeleteClusterAsync(
            run,
            reader,
            new DeleteDBClusterRequest { DBClusterIdentifier = clusterId, SkipFinalSnapshot = true },
            $"{clusterId} to be deleted",
            (step, $"Deleting {clusterId}; its final snapshot is {name}."),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A manual snapshot of the cluster (or the one an earlier attempt took), waited for until it is available.</summary>
    private static async Task TakeFinalSnapshotAsync(RekeyRun run, string clusterId, string name, string step, CancellationToken cancellationToken)
    {
        try
        {
            await run.Rds.CreateDBClusterSnapshotAsync(
                new CreateDBClusterSnapshotRequest
                {
                    DBClusterIdentifier = clusterId,
                    DBClusterSnapshotIdentifier = name,
                    Tags = [new Tag { Key = RekeyTags.Source, Value = clusterId }, new Tag { Key = RekeyTags.RunId, Value = run.RunId }],
                },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add(step, $"Taking final snapshot {name} of {clusterId}.");
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
                var response = await run.Rds.DescribeDBClusterSnapshotsAsync(
                    new DescribeDBClusterSnapshotsRequest { DBClusterSnapshotIdentifier = name }, token).ConfigureAwait(false);
                var snapshot = response.DBClusterSnapshots?.FirstOrDefault();
                return snapshot?.Status == "available" ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, snapshot?.Status ?? "not visible yet");
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every instance of the cluster deleted (those already deleting are left to finish), each journaled under the step and
    /// line <c>journal</c> gives for it, and waited for until none is left.
    /// </summary>
    public static async Task DeleteInstancesAsync(
        RekeyRun run, ClusterReader reader, string clusterId, string waitingFor, Func<string?, (string Step, string Line)> journal, CancellationToken cancellationToken)
    {
        foreach (var instance in await reader.InstancesOfAsync(clusterId, cancellationToken).ConfigureAwait(false))
        {
            if (instance.DBInstanceStatus != "deleting")
            {
                await run.Rds.DeleteDBInstanceAsync(
                    new DeleteDBInstanceRequest { DBInstanceIdentifier = instance.DBInstanceIdentifier, SkipFinalSnapshot = true }, cancellationToken).ConfigureAwait(false);
                var (step, line) = journal(instance.DBInstanceIdentifier);
                run.Journal.Add(step, line);
            }
        }

        await run.Wait.UntilAsync(
            waitingFor,
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.InstancesOfAsync(clusterId, token).ConfigureAwait(false);
                return left.Count == 0 ? Probe<bool>.Ready(true, "none left") : Probe<bool>.NotYet(false, $"{left.Count} left");
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The cluster deleted as <paramref name="delete"/> says, its deletion protection lifted first (only to delete it), and
    /// waited for until it is gone; a cluster already deleting is only waited for.
    /// </summary>
    public static async Task DeleteClusterAsync(
        RekeyRun run, ClusterReader reader, DeleteDBClusterRequest delete, string waitingFor, (string Step, string Line) journal, CancellationToken cancellationToken)
    {
        var clusterId = delete.DBClusterIdentifier!;
        var cluster = await reader.FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false);
        if (cluster is not null && cluster.Status != "deleting")
        {
            if (cluster.DeletionProtection == true)
            {
                await run.Rds.ModifyDBClusterAsync(
                    new ModifyDBClusterRequest { DBClusterIdentifier = clusterId, DeletionProtection = false, ApplyImmediately = true }, cancellationToken).ConfigureAwait(false);
            }

            await run.Rds.DeleteDBClusterAsync(delete, cancellationToken).ConfigureAwait(false);
            run.Journal.Add(journal.Step, journal.Line);
        }

        await run.Wait.UntilAsync(
            waitingFor,
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.FindClusterAsync(clusterId, token).ConfigureAwait(false);
                return left is null ? Probe<bool>.Ready(true, "deleted") : Probe<bool>.NotYet(false, left.Status ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);
    }
}
