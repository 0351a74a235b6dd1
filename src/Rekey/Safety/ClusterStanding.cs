using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Safety;

/// <summary>
/// What AWS shows of one cluster's cutover right now, read in one DescribeDBClusters call: the cluster under its
/// own name, under the suffixed name a restore-swap fence gives it, and under the name a Blue/Green switchover gives
/// the old blue. The cluster that carries the lock and the recorded target key is the old one, wherever it is.
/// </summary>
public sealed record ClusterStanding(string ClusterId, DBCluster? AtOriginalName, DBCluster? AtOldName, DBCluster? OldBlue)
{
    /// <summary>The restore-swap source after its rename, when it is this cluster's.</summary>
    public DBCluster? RenamedSource =>
        AtOldName is not null && AtOldName.Tag(RekeyTags.Role) == RekeyTags.SourceRole && AtOldName.Tag(RekeyTags.OriginalId) == ClusterId ? AtOldName : null;

    /// <summary>The old blue after a switchover, when it is this cluster's.</summary>
    public DBCluster? SwitchedBlue => BlueGreenDeployments.IsBlueOf(OldBlue, ClusterId) ? OldBlue : null;

    /// <summary>The new cluster a restore-swap created under the original name.</summary>
    public DBCluster? Target => AtOriginalName?.Tag(RekeyTags.Role) == RekeyTags.TargetRole ? AtOriginalName : null;

    /// <summary>
    /// The cluster that carries the lock, the phase and the recorded key: the renamed source, else the old blue, else
    /// the cluster under its own name unless that is a restore's new cluster. Null when there is none (cleaned up).
    /// </summary>
    public DBCluster? Carrier => RenamedSource ?? SwitchedBlue ?? (Target is null ? AtOriginalName : null);

    public string? LockHolder => Carrier?.Tag(RekeyTags.Lock);

    public string? RecordedTargetKey => Carrier?.Tag(RekeyTags.TargetKey);

    public string? RecordedRunId => Carrier?.Tag(RekeyTags.RunId);

    /// <summary>T1 is recorded: the restore-swap fence is done.</summary>
    public bool IsFenced => RenamedSource?.Tag(RekeyTags.T1) is not null;

    /// <summary>One line for messages: which names exist and what they carry.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        Add(AtOriginalName);
        Add(AtOldName);
        Add(OldBlue);
        return parts.Count == 0 ? $"no cluster {ClusterId} exists under any of its names" : string.Join("; ", parts);

        void Add(DBCluster? cluster)
        {
            if (cluster is not null)
            {
                parts.Add($"{cluster.DBClusterIdentifier} is {cluster.Status ?? "unknown"}"
                    + (cluster.Tag(RekeyTags.Role) is { } role ? $", {RekeyTags.Role}={role}" : string.Empty)
                    + (cluster.Tag(RekeyTags.Phase) is { } phase ? $", {RekeyTags.Phase}={phase}" : string.Empty)
                    + (cluster.Tag(RekeyTags.Lock) is { } holder ? $", locked by run {holder}" : string.Empty));
            }
        }
    }

    /// <summary>Reads the three names in one call (a filter on db-cluster-id), so each guarded change costs one read.</summary>
    public static async Task<ClusterStanding> ReadAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var original = run.ClusterId;
        var old = run.OldClusterId;
        var oldBlue = BlueGreenDeployments.OldBlueId(original);
        var request = new DescribeDBClustersRequest
        {
            Filters = [new Filter { Name = "db-cluster-id", Values = [.. new[] { original, old, oldBlue }.Distinct(StringComparer.Ordinal)] }],
        };
        var found = new List<DBCluster>();
        await foreach (var cluster in run.Rds.DescribeDBClustersAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            found.Add(cluster);
        }

        return new ClusterStanding(
            original,
            found.FirstOrDefault(c => c.DBClusterIdentifier == original),
            old == original ? null : found.FirstOrDefault(c => c.DBClusterIdentifier == old),
            found.FirstOrDefault(c => c.DBClusterIdentifier == oldBlue));
    }
}
