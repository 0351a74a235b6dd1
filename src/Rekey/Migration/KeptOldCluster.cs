using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Migration;

/// <summary>
/// The old cluster a cutover keeps under another name: restore-swap's under its suffixed name (tags
/// rekey:role=source and rekey:original-id), the way back for Rollback until Cleanup deletes it; a
/// Blue/Green cutover's old blue under AWS's <c>-old1</c> name (tags rekey:strategy=blue-green and
/// rekey:original-id). Inventory skips both, and Plan and Cutover refuse them.
/// </summary>
public static class KeptOldCluster
{
    /// <summary>The cluster the kept cluster belongs to (its original identifier); null for any other cluster.</summary>
    public static string? BelongsTo(DBCluster? cluster) =>
        IsRestoreSwapSource(cluster) || IsOldBlue(cluster) ? cluster!.Tag(RekeyTags.OriginalId) : null;

    /// <summary>
    /// The old blue a switchover left: the name AWS gives it (<c>-old1</c>, or the next free <c>-oldN</c>) is
    /// checked too, because green carries blue's tags (copied at creation) under a name of its own and is not the old blue.
    /// </summary>
    public static bool IsOldBlue(DBCluster? cluster) =>
        cluster is not null
        && string.Equals(cluster.Tag(BlueGreenDeployments.StrategyTag), BlueGreenDeployments.StrategyValue, StringComparison.Ordinal)
        && cluster.Tag(RekeyTags.OriginalId) is { Length: > 0 } original
        && cluster.DBClusterIdentifier is { } id
        && id.StartsWith(original + "-old", StringComparison.Ordinal)
        && id.Length > original.Length + 4
        && id[(original.Length + 4)..].All(char.IsAsciiDigit);

    public static string Refusal(string clusterId, string owner) =>
        $"DB cluster {clusterId} is the old cluster Rekey kept when it moved {owner} to a new key (tags {RekeyTags.Role}={RekeyTags.SourceRole}, {RekeyTags.OriginalId}={owner}); "
        + $"it is not a cutover candidate. Work on --cluster={owner}: Rollback returns to this cluster, Cleanup deletes it.";

    /// <summary>The refusal that names what <paramref name="cluster"/> is kept for.</summary>
    public static string Refusal(DBCluster cluster, string owner)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return IsOldBlue(cluster)
            ? $"DB cluster {cluster.DBClusterIdentifier} is the old blue Rekey kept when it moved {owner} to a new key by a Blue/Green switchover "
              + $"(tags {BlueGreenDeployments.StrategyTag}={BlueGreenDeployments.StrategyValue}, {RekeyTags.OriginalId}={owner}); "
              + $"it is not a cutover candidate. Work on --cluster={owner}: Cleanup deletes this cluster after the holding period."
            : Refusal(cluster.DBClusterIdentifier!, owner);
    }

    private static bool IsRestoreSwapSource(DBCluster? cluster) =>
        cluster is not null
        && string.Equals(cluster.Tag(RekeyTags.Role), RekeyTags.SourceRole, StringComparison.Ordinal)
        && cluster.Tag(RekeyTags.OriginalId) is { Length: > 0 } original
        && !string.Equals(original, cluster.DBClusterIdentifier, StringComparison.Ordinal);
}
