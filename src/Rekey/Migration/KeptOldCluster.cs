using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.State;

namespace Rekey.Migration;

/// <summary>
/// The old cluster a cutover keeps under its suffixed name (tags rekey:role=source and rekey:original-id):
/// the way back for Rollback until Cleanup deletes it. Inventory skips it, and Plan and Cutover refuse it.
/// </summary>
public static class KeptOldCluster
{
    /// <summary>The cluster the kept cluster belongs to (its original identifier); null for any other cluster.</summary>
    public static string? BelongsTo(DBCluster? cluster) =>
        cluster is not null
        && string.Equals(cluster.Tag(RekeyTags.Role), RekeyTags.SourceRole, StringComparison.Ordinal)
        && cluster.Tag(RekeyTags.OriginalId) is { Length: > 0 } original
        && !string.Equals(original, cluster.DBClusterIdentifier, StringComparison.Ordinal)
            ? original
            : null;

    public static string Refusal(string clusterId, string owner) =>
        $"DB cluster {clusterId} is the old cluster Rekey kept when it moved {owner} to a new key (tags {RekeyTags.Role}={RekeyTags.SourceRole}, {RekeyTags.OriginalId}={owner}); "
        + $"it is not a cutover candidate. Work on --cluster={owner}: Rollback returns to this cluster, Cleanup deletes it.";
}
