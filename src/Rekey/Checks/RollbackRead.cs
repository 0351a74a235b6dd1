using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Checks;

/// <summary>The cluster a Rollback brings back, as AWS showed it before: its resource id (stable across renames) and key.</summary>
public sealed record RollbackExpectation(string ResourceId, string? KmsKeyArn, string? EncryptionType, bool RestoreSwap);

/// <summary>
/// A Rollback's claim, read from AWS when it ends: the cluster under the original name is the old cluster (same
/// resource id), on its old key, available, the old name is free again (restore-swap) and no run holds the lock.
/// </summary>
public static class RollbackRead
{
    /// <summary>The cluster the Rollback will bring back, read before it starts; null when there is none (Rollback says why).</summary>
    public static async Task<RollbackExpectation?> BeforeAsync(RekeyRun run, bool blueGreen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        DBCluster? old;
        if (blueGreen)
        {
            var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
            old = state.IsSwitchedOver ? null : state.Blue;
        }
        else
        {
            old = (await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false)).Source;
        }

        return old?.DbClusterResourceId is { } resourceId ? new RollbackExpectation(resourceId, old.KmsKeyId, old.TypeOf(), !blueGreen) : null;
    }

    public static async Task RequireAsync(RekeyRun run, RollbackExpectation expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(expected);
        var reader = new ClusterReader(run.Rds);
        var cluster = await reader.FindClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        var read = new Checklist();
        if (cluster is null)
        {
            read.Fail($"{run.ClusterId} exists", $"AWS shows no DB cluster named {run.ClusterId}.");
        }
        else
        {
            read.Check(
                cluster.DbClusterResourceId == expected.ResourceId,
                $"{run.ClusterId} is the old cluster (resource id {expected.ResourceId})",
                $"AWS shows {run.ClusterId} as resource {cluster.DbClusterResourceId}, not the old cluster {expected.ResourceId}.");
            read.Check(
                string.Equals(cluster.KmsKeyId, expected.KmsKeyArn, StringComparison.Ordinal) && cluster.TypeOf() == expected.EncryptionType,
                $"{run.ClusterId} is on its old key {Key(expected.KmsKeyArn, expected.EncryptionType)}",
                $"AWS shows {run.ClusterId} on {Key(cluster.KmsKeyId, cluster.TypeOf())}, not its old key {Key(expected.KmsKeyArn, expected.EncryptionType)}.");
            read.Check(cluster.IsAvailable(), $"{run.ClusterId} is available", $"AWS shows {run.ClusterId} {cluster.Status}, not available.");
            // This run's own lock (left by a fence that stopped before renaming) is named, not failed: no other run is kept out by it for long.
            var holder = cluster.Tag(RekeyTags.Lock);
            read.Check(
                holder is null || holder == run.RunId,
                holder is null ? $"no run holds the lock of {run.ClusterId}" : $"only this run holds the lock of {run.ClusterId}",
                $"Run {holder} holds the lock of {run.ClusterId} (tag {RekeyTags.Lock}): the cluster is that run's to change.");
        }

        if (expected.RestoreSwap)
        {
            var renamed = await reader.FindClusterAsync(run.OldClusterId, cancellationToken).ConfigureAwait(false);
            read.Check(renamed is null, $"no DB cluster is named {run.OldClusterId}", $"AWS still shows a DB cluster named {run.OldClusterId} ({renamed?.Status}).");
        }

        ReadAtTheEnd.Require(run, "Rollback", $"{run.ClusterId} is the old cluster again, on its old key", read);
        run.Log.LogInformation("Rolled back {Cluster}: AWS shows it as the old cluster, on {Key}", run.ClusterId, Key(expected.KmsKeyArn, expected.EncryptionType));
    }

    private static string Key(string? arn, string? type) => arn ?? (type == "none" ? "no encryption" : "an AWS owned key (sse-rds)");
}
