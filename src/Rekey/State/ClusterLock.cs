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

        // The run the tags name as the cutover's may take the lock back: a holder that is not named there recorded
        // nothing (it adopts by naming itself), such as a run whose late lock write landed and that then refused
        // the recorded key. The read-back below decides between the two as for any lock write.
        var takingOver = holder is not null && cluster.Tag(RekeyTags.RunId) == run.RunId;
        if (holder is not null && !takingOver)
        {
            throw Held(cluster.DBClusterIdentifier!, holder);
        }

        await Safety.ChangeGuard.AdmitLockWriteAsync(() => run.Rds.AddAsync(cluster.DBClusterArn!, RekeyTags.Lock, run.RunId, cancellationToken)).ConfigureAwait(false);
        await Task.Delay(run.Wait.Settings.LockSettle, run.Time, cancellationToken).ConfigureAwait(false);

        var now = await new ClusterReader(run.Rds).GetClusterAsync(cluster.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var after = now.Tag(RekeyTags.Lock);
        if (after != run.RunId)
        {
            throw Held(cluster.DBClusterIdentifier!, after ?? "(removed)");
        }

        if (takingOver)
        {
            run.Journal.Add("Lock", $"Took the lock on {cluster.DBClusterIdentifier} from run {holder}: {RekeyTags.RunId} names run {run.RunId} as the run of this cutover.");
        }

        run.Log.LogInformation("Locked {Cluster} for run {Run}", cluster.DBClusterIdentifier, run.RunId);
    }

    /// <summary>
    /// Reads the lock again after a change <paramref name="change"/> and stops the run if another run's id is in
    /// the tag now. A tag write that AWS applied late (after SDK retries) can overwrite a lock this run had
    /// already confirmed; this re-read is what keeps the two runs from both going on.
    /// </summary>
    /// <param name="run">The run that believes it holds the lock.</param>
    /// <param name="step">The step, for the message.</param>
    /// <param name="change">What this run changed last, for the message.</param>
    /// <param name="mustBePresent">Whether an absent lock counts as lost too: true where this run took the lock moments ago.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task EnsureHeldAsync(RekeyRun run, string step, string change, bool mustBePresent, CancellationToken cancellationToken)
    {
        // After Fence's rename the old cluster, which carries the lock, is under the suffixed name; one call reads both names.
        var found = await new ClusterReader(run.Rds).FindClustersAsync([run.OldClusterId, run.ClusterId], cancellationToken).ConfigureAwait(false);
        var holder = LockOf(found.GetValueOrDefault(run.OldClusterId), run.OldClusterId, run.ClusterId)
            ?? LockOf(found.GetValueOrDefault(run.ClusterId), run.ClusterId, run.ClusterId);
        if (holder == run.RunId || (holder is null && !mustBePresent))
        {
            return;
        }

        throw new ClusterLockedException(
            $"Run {run.RunId} lost the lock on DB cluster {run.ClusterId}: " +
            (holder is null ? $"its {RekeyTags.Lock} tag is gone" : $"run {holder} holds it now (tag {RekeyTags.Lock})") +
            $"; {step} found this after {change}. This run stopped before its next change; what it changed so far can be resumed or rolled back by the run that holds the lock. " +
            (holder is null
                ? $"Find the run that removed the lock before doing anything; then resume with --run-id={run.RunId} (in the Rekey workflow, the run-id input) or run Rollback."
                : $"Let run {holder} finish (if it died, resume it with --run-id={holder}, in the Rekey workflow the run-id input); do not resume run {run.RunId}."));
    }

    public static async Task ReleaseAsync(RekeyRun run, DBCluster cluster, CancellationToken cancellationToken)
    {
        if (cluster.Tag(RekeyTags.Lock) == run.RunId)
        {
            await run.Rds.RemoveAsync(cluster.DBClusterArn!, [RekeyTags.Lock], cancellationToken).ConfigureAwait(false);
            run.Log.LogInformation("Released the lock on {Cluster}", cluster.DBClusterIdentifier);
        }
    }

    /// <summary>The lock tag of the cluster under <paramref name="id"/> if it is the old cluster of <paramref name="originalId"/>; null otherwise.</summary>
    private static string? LockOf(DBCluster? cluster, string id, string originalId)
    {
        return cluster is not null && cluster.Tag(RekeyTags.Role) != RekeyTags.TargetRole && (cluster.Tag(RekeyTags.OriginalId) ?? id) == originalId
            ? cluster.Tag(RekeyTags.Lock)
            : null;
    }

    /// <summary>The refusal for a lock another run holds, with what was refused first when given.</summary>
    public static ClusterLockedException Held(string clusterId, string holder, string? refused = null) =>
        new((refused is null ? string.Empty : refused + ": ") + $"DB cluster {clusterId} is locked by run {holder} (tag {RekeyTags.Lock}); another run is acting on it. Nothing was changed. " +
            $"Wait for it to finish; if it died, resume it with --run-id={holder} (in the Rekey workflow, the run-id input).");
}
