using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;

namespace Rekey.Checks;

/// <summary>
/// A Cleanup's claim, read from AWS when it ends: the old cluster is gone (or being deleted), its final snapshot exists
/// and is available, and the cluster under the original name, which Cleanup never deletes, is still there.
/// </summary>
public static class CleanupRead
{
    public static async Task RequireAsync(RekeyRun run, string oldClusterId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new ClusterReader(run.Rds);
        var read = new Checklist();
        var old = await reader.FindClusterAsync(oldClusterId, cancellationToken).ConfigureAwait(false);
        read.Check(
            old is null or { Status: "deleting" },
            old is null ? $"no DB cluster is named {oldClusterId}" : $"{oldClusterId} is being deleted",
            $"AWS still shows the old cluster {oldClusterId} ({old?.Status}).");

        var name = RestoreSwap.Cleanup.FinalSnapshotName(oldClusterId);
        var snapshot = await FindSnapshotAsync(run, name, cancellationToken).ConfigureAwait(false);
        read.Check(
            snapshot is { Status: "available" } && snapshot.DBClusterIdentifier == oldClusterId,
            $"final snapshot {name} of {oldClusterId} is available",
            snapshot is null
                ? $"AWS shows no DB cluster snapshot named {name}: the old cluster's final snapshot is missing."
                : $"AWS shows snapshot {name} of {snapshot.DBClusterIdentifier} {snapshot.Status}, not an available snapshot of {oldClusterId}.");

        var current = await reader.FindClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        read.Check(
            current is not null && current.Status != "deleting",
            $"{run.ClusterId} is still there ({current?.Status}, on {current?.KmsKeyId ?? "no customer managed key"})",
            $"AWS shows {(current is null ? "no DB cluster" : $"the DB cluster {current.Status}")} named {run.ClusterId}.");
        ReadAtTheEnd.Require(run, "Cleanup", $"{oldClusterId} is deleted after its final snapshot {name}", read);
        run.Log.LogInformation("Cleaned up {Old}: AWS shows it gone and its final snapshot {Snapshot} available", oldClusterId, name);
    }

    private static async Task<DBClusterSnapshot?> FindSnapshotAsync(RekeyRun run, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await run.Rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterSnapshotIdentifier = name }, cancellationToken).ConfigureAwait(false);
            return response.DBClusterSnapshots?.FirstOrDefault();
        }
        catch (DBClusterSnapshotNotFoundException)
        {
            return null;
        }
    }
}
