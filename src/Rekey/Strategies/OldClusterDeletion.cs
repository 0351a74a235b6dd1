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
                    var response = await run.Rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterSnapshotIdentifier = name }, token).ConfigureAwait(false);
                    var snapshot = response.DBClusterSnapshots?.FirstOrDefault();
                    return snapshot?.Status == "available" ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, snapshot?.Status ?? "not visible yet");
                },
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var instance in await reader.InstancesOfAsync(clusterId, cancellationToken).ConfigureAwait(false))
        {
            if (instance.DBInstanceStatus != "deleting")
            {
                await run.Rds.DeleteDBInstanceAsync(new DeleteDBInstanceRequest { DBInstanceIdentifier = instance.DBInstanceIdentifier, SkipFinalSnapshot = true }, cancellationToken).ConfigureAwait(false);
                run.Journal.Add(step, $"Deleting old instance {instance.DBInstanceIdentifier}.");
            }
        }

        await run.Wait.UntilAsync(
            $"the instances of {clusterId} to be deleted",
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.InstancesOfAsync(clusterId, token).ConfigureAwait(false);
                return left.Count == 0 ? Probe<bool>.Ready(true, "none left") : Probe<bool>.NotYet(false, $"{left.Count} left");
            },
            cancellationToken).ConfigureAwait(false);

        var cluster = await reader.FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false);
        if (cluster is not null && cluster.Status != "deleting")
        {
            if (cluster.DeletionProtection == true)
            {
                // Lifted only here, on the old cluster, to delete it; the new cluster keeps its own.
                await run.Rds.ModifyDBClusterAsync(new ModifyDBClusterRequest { DBClusterIdentifier = clusterId, DeletionProtection = false, ApplyImmediately = true }, cancellationToken).ConfigureAwait(false);
            }

            await run.Rds.DeleteDBClusterAsync(new DeleteDBClusterRequest { DBClusterIdentifier = clusterId, SkipFinalSnapshot = true }, cancellationToken).ConfigureAwait(false);
            run.Journal.Add(step, $"Deleting {clusterId}; its final snapshot is {name}.");
        }

        await run.Wait.UntilAsync(
            $"{clusterId} to be deleted",
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.FindClusterAsync(clusterId, token).ConfigureAwait(false);
                return left is null ? Probe<bool>.Ready(true, "deleted") : Probe<bool>.NotYet(false, left.Status ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);
    }
}
