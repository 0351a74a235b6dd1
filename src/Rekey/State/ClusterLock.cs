using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;

namespace Rekey.State;

/// <summary>The cluster is held by another run; nothing was changed.</summary>
public sealed class ClusterLockedException : Exception
{
    public ClusterLockedException()
    {
    }

    public ClusterLockedException(string message)
        : base(message)
    {
    }

    public ClusterLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A lock on a cluster, kept as its <see cref="RekeyTags.Lock"/> tag, so two runs cannot act on one cluster.
/// RDS has no conditional tag write, so the lock is written, left to settle, and read back: of two runs
/// that wrote at nearly the same time, only the one whose value survived goes on. (The workflow's
/// concurrency group keeps runs of one cluster apart as well.)
/// </summary>
public static class ClusterLock
{
    public static async Task AcquireAsync(RekeyRun run, DBCluster cluster, CancellationToken cancellationToken)
    {
        var holder = cluster.Tag(RekeyTags.Lock);
        if (holder == run.RunId)
        {
            return;
        }

        if (holder is not null)
        {
            throw Held(cluster.DBClusterIdentifier!, holder);
        }

        await run.Rds.AddAsync(cluster.DBClusterArn!, RekeyTags.Lock, run.RunId, cancellationToken).ConfigureAwait(false);
        await Task.Delay(run.Wait.Settings.LockSettle, run.Time, cancellationToken).ConfigureAwait(false);

        var now = await new ClusterReader(run.Rds).GetClusterAsync(cluster.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var after = now.Tag(RekeyTags.Lock);
        if (after != run.RunId)
        {
            throw Held(cluster.DBClusterIdentifier!, after ?? "(removed)");
        }

        run.Log.LogInformation("Locked {Cluster} for run {Run}", cluster.DBClusterIdentifier, run.RunId);
    }

    public static async Task ReleaseAsync(RekeyRun run, DBCluster cluster, CancellationToken cancellationToken)
    {
        if (cluster.Tag(RekeyTags.Lock) == run.RunId)
        {
            await run.Rds.RemoveAsync(cluster.DBClusterArn!, [RekeyTags.Lock], cancellationToken).ConfigureAwait(false);
            run.Log.LogInformation("Released the lock on {Cluster}", cluster.DBClusterIdentifier);
        }
    }

    private static ClusterLockedException Held(string clusterId, string holder) =>
        new($"DB cluster {clusterId} is locked by run {holder} (tag {RekeyTags.Lock}); another run is acting on it. " +
            $"Wait for it to finish; if it died, resume it with --run-id={holder} (in the Rekey workflow, the run-id input).");
}
