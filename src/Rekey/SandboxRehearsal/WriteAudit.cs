namespace Rekey.SandboxRehearsal;

/// <summary>
/// The proof a rehearsal gives: every write the application saw acknowledged before T1 is in the new
/// cluster, and no write was acknowledged by the old cluster after T1.
/// </summary>
public sealed record WriteAudit(
    string Cluster,
    int Acknowledged,
    int AcknowledgedByOldBeforeT1,
    int AcknowledgedByNew,
    IReadOnlyList<string> LostBeforeT1,
    IReadOnlyList<string> OldAfterT1)
{
    public bool Passed => LostBeforeT1.Count == 0 && OldAfterT1.Count == 0;

    /// <summary>restore-swap or blue-green.</summary>
    public string? Strategy { get; init; }

    /// <summary>
    /// The write outage on AWS's clock: restore-swap, from the rename to the writer answering at the old
    /// address; Blue/Green, the longest time the application went without an acknowledged write around the switchover.
    /// </summary>
    public TimeSpan? Outage { get; init; }

    /// <summary>Blue/Green: from CreateBlueGreenDeployment to the completed switchover, on AWS's clock.</summary>
    public TimeSpan? StartToSwitchover { get; init; }

    /// <summary>Blue/Green: the longest gap between two acknowledged writes around the switchover, on AWS's clock.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? OutageWindow { get; init; }

    /// <summary>The longest gap between two acknowledged writes (AWS's clock) that ends after <paramref name="from"/> and starts before <paramref name="to"/>; null without writes there.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End)? LongestGap(IReadOnlyList<SandboxWrite> acknowledged, DateTimeOffset? from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(acknowledged);
        var times = acknowledged.Select(w => w.Time).Order().ToList();
        (DateTimeOffset Start, DateTimeOffset End)? longest = null;
        for (var i = 1; i < times.Count; i++)
        {
            if (times[i] >= (from ?? DateTimeOffset.MinValue) && times[i - 1] <= to && (longest is null || times[i] - times[i - 1] > longest.Value.End - longest.Value.Start))
            {
                longest = (times[i - 1], times[i]);
            }
        }

        return longest;
    }

    public static WriteAudit Of(
        string cluster,
        IReadOnlyList<SandboxWrite> acknowledged,
        string oldClusterResourceId,
        DateTimeOffset t1,
        IReadOnlyList<ClusterWriteRecord> newClusterWrites)
    {
        var inNew = newClusterWrites.Select(w => (w.Key, w.Value)).ToHashSet();
        var byOld = acknowledged.Where(w => w.ClusterResourceId == oldClusterResourceId).ToList();
        var lost = byOld.Where(w => w.Time <= t1 && !inNew.Contains((w.Key, w.Value))).Select(w => w.Key).ToList();
        var late = byOld.Where(w => w.Time > t1).Select(w => w.Key).ToList();
        return new WriteAudit(
            cluster,
            acknowledged.Count,
            byOld.Count(w => w.Time <= t1),
            acknowledged.Count(w => w.ClusterResourceId != oldClusterResourceId),
            lost,
            late);
    }
}
