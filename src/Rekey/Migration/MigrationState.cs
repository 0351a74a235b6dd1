using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Migration;

/// <summary>
/// Where a cutover of one cluster stands, read from AWS alone: which cluster holds the original name,
/// whether the old one has been fenced under the suffixed name, and what the tags recorded.
/// </summary>
public sealed record MigrationState(string ClusterId, string OldClusterId, DBCluster? AtOriginalName, DBCluster? AtOldName)
{
    /// <summary>The old cluster, wherever it is now; null only when it is gone (cleaned up) or never existed.</summary>
    public DBCluster? Source =>
        IsSource(AtOldName) ? AtOldName
        : AtOriginalName is not null && !IsTarget(AtOriginalName) ? AtOriginalName
        : null;

    /// <summary>The new cluster under the original name, once the restore has started.</summary>
    public DBCluster? Target => IsTarget(AtOriginalName) ? AtOriginalName : null;

    /// <summary>The old cluster has its suffixed name: the fence's rename happened.</summary>
    public bool IsRenamed => IsSource(AtOldName);

    /// <summary>The fence has started on the cluster under its original name (tagged as the source) but not renamed it yet.</summary>
    public bool IsFencing =>
        !IsRenamed
        && AtOriginalName is not null
        && string.Equals(AtOriginalName.Tag(RekeyTags.Role), RekeyTags.SourceRole, StringComparison.Ordinal)
        && string.Equals(AtOriginalName.Tag(RekeyTags.OriginalId), ClusterId, StringComparison.Ordinal);

    /// <summary>
    /// The source's tags as a restore-swap reads them. Fence records the cutover (target key, run, definition, phase)
    /// in one write together with <c>rekey:role=source</c>. The same keys without that role are a Blue/Green
    /// cutover's: on its blue, or copied by AWS from blue onto green at creation, so that after the switchover the
    /// cluster under the original name carries the finished cutover's run and key. They record that cutover, not a
    /// restore-swap under way, so only the lock (which a restore-swap takes before it records anything) is kept;
    /// otherwise the restore-swap back onto the old key would read them as another run's cutover.
    /// </summary>
    public IReadOnlyDictionary<string, string> SourceTags =>
        Source is not { } source ? new Dictionary<string, string>()
        : IsFenceRecord(source) ? source.Tags()
        : source.Tags().Where(t => t.Key == RekeyTags.Lock || !t.Key.StartsWith(RekeyTags.Prefix, StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);

    /// <summary>The cluster carries a restore-swap fence's record: its rekey: tags are a restore-swap's, not a Blue/Green cutover's.</summary>
    public static bool IsFenceRecord(DBCluster cluster) =>
        string.Equals(cluster.Tag(RekeyTags.Role), RekeyTags.SourceRole, StringComparison.Ordinal);

    public string? LockHolder => SourceTags.GetValueOrDefault(RekeyTags.Lock);

    public string? Phase => SourceTags.GetValueOrDefault(RekeyTags.Phase);

    public string? TargetKeyArn => SourceTags.GetValueOrDefault(RekeyTags.TargetKey);

    /// <summary>The run that recorded the definition and the target key (the fence's run).</summary>
    public string? RecordedRunId => SourceTags.GetValueOrDefault(RekeyTags.RunId);

    public DateTimeOffset? T1 => Timestamp(RekeyTags.T1);

    public DateTimeOffset? FencedAt => Timestamp(RekeyTags.FencedAt);

    /// <summary>What the fence recorded about the old names; null before the fence recorded it.</summary>
    public SourceDefinition? Definition => TagChunks.Decode<SourceDefinition>(RekeyTags.DefinitionChunk, SourceTags);

    public static async Task<MigrationState> ReadAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var found = await reader.FindClustersAsync([run.ClusterId, run.OldClusterId], cancellationToken).ConfigureAwait(false);
        return new MigrationState(run.ClusterId, run.OldClusterId, found.GetValueOrDefault(run.ClusterId), found.GetValueOrDefault(run.OldClusterId));
    }

    private DateTimeOffset? Timestamp(string key) =>
        SourceTags.TryGetValue(key, out var text)
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;

    private bool IsSource(DBCluster? cluster) =>
        cluster is not null
        && string.Equals(cluster.Tag(RekeyTags.Role), RekeyTags.SourceRole, StringComparison.Ordinal)
        && string.Equals(cluster.Tag(RekeyTags.OriginalId), ClusterId, StringComparison.Ordinal);

    private static bool IsTarget(DBCluster? cluster) =>
        cluster is not null && string.Equals(cluster.Tag(RekeyTags.Role), RekeyTags.TargetRole, StringComparison.Ordinal);
}
