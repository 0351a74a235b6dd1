using System.Globalization;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;
using Rekey.State;

namespace Rekey.Build.SandboxRehearsal;

/// <summary>One AWS operation inside the outage, in sandbox time.</summary>
public sealed record AwsOperation(string Name, DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Duration => End > Start ? End - Start : TimeSpan.Zero;
}

/// <summary>
/// A cluster's outage (fence to writer available, on AWS's clock) split into the time AWS's own operations
/// took and the rest, which is Rekey's overhead: polling, DNS checks, its own calls.
/// </summary>
public sealed record OutageBreakdown
{
    public required string Cluster { get; init; }

    /// <summary>restore-swap or blue-green.</summary>
    public string Strategy { get; init; } = "restore-swap";

    /// <summary>Restore-swap: the fence (rekey:fenced-at). Blue/Green: the application's last acknowledged write before the switchover.</summary>
    public required DateTimeOffset OutageStart { get; init; }

    /// <summary>Restore-swap: the writer available (rekey:writer-available-at). Blue/Green: the first acknowledged write after it.</summary>
    public required DateTimeOffset OutageEnd { get; init; }

    public required IReadOnlyList<AwsOperation> Operations { get; init; }

    /// <summary>
    /// Blue/Green: how long after AWS's switchover-completed event Rekey saw it (its rekey:switched-at tag). Writes
    /// resume without Rekey, so this is not in the outage; it is what Rekey's polling adds before its next step.
    /// </summary>
    public TimeSpan? SeenAfter { get; init; }

    public TimeSpan Outage => OutageEnd - OutageStart;

    /// <summary>The time at least one AWS operation was under way (overlaps counted once).</summary>
    public TimeSpan AwsTime => Union(Operations.Select(o => (Clip(o.Start), Clip(o.End))));

    /// <summary>
    /// Blue/Green: the part of the application's gap outside the switchover (its own write cadence and
    /// reconnection). Nothing in a switchover waits on Rekey, which asked for it before the window and
    /// only watches; restore-swap has none, every step of its outage waiting on Rekey or AWS.
    /// </summary>
    public TimeSpan Application => Strategy == "blue-green" && Outage > AwsTime ? Outage - AwsTime : TimeSpan.Zero;

    public TimeSpan Overhead => Outage - AwsTime - Application;

    /// <summary>Rekey's overhead per unit of AWS's operation time.</summary>
    public double OverheadRatio => AwsTime > TimeSpan.Zero ? Overhead / AwsTime : double.NaN;

    /// <summary>
    /// Reads the breakdown from the sandbox after a cutover: the outage from the clusters' rekey tags,
    /// the operations from RDS events (DescribeEvents) and the sandbox's call record. The rename's DNS
    /// change and LatestRestorableTime's lag are not events: their lengths are the sandbox's configured ones.
    /// </summary>
    public static async Task<OutageBreakdown> ReadAsync(
        IAmazonRDS rds, CallLog calls, SandboxDurations durations, string account, string clusterId, string oldSuffix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rds);
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(durations);
        var reader = new ClusterReader(rds);
        var old = await reader.GetClusterAsync(clusterId + oldSuffix, cancellationToken).ConfigureAwait(false);
        var @new = await reader.GetClusterAsync(clusterId, cancellationToken).ConfigureAwait(false);
        var fenced = TagTime(old, RekeyTags.FencedAt);
        var writer = TagTime(@new, RekeyTags.WriterAvailableAt);

        var events = new List<Event>();
        var request = new DescribeEventsRequest { StartTime = fenced.UtcDateTime.AddMinutes(-5), EndTime = writer.UtcDateTime.AddMinutes(5) };
        await foreach (var item in rds.DescribeEventsAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            events.Add(item);
        }

        var outage = new RestoreSwapOutage(events, calls, durations, account, clusterId, oldSuffix, fenced, writer);
        return new OutageBreakdown { Cluster = clusterId, OutageStart = fenced, OutageEnd = writer, Operations = outage.Operations(TagTime(old, RekeyTags.T1)) };
    }

    /// <summary>A restore-swap outage's AWS operations, from its RDS events and the sandbox's call record.</summary>
    private sealed record RestoreSwapOutage(
        IReadOnlyList<Event> Events, CallLog Calls, SandboxDurations Durations, string Account, string ClusterId, string OldSuffix, DateTimeOffset Fenced, DateTimeOffset Writer)
    {
        public List<AwsOperation> Operations(DateTimeOffset t1)
        {
            var operations = new List<AwsOperation>();
            if (EventAt(e => e.Message?.StartsWith($"Renamed DB cluster from {ClusterId} to ", StringComparison.Ordinal) == true) is { } renamed)
            {
                operations.Add(new AwsOperation("Rename and DNS change", renamed, renamed + Longest(Durations.Rename, Durations.DnsChange)));
            }

            // Instance renames reboot the instances (which closes pooled connections) and move their DNS names.
            var instanceRenames = Events
                .Where(e => e.Message?.StartsWith("Renamed DB instance from ", StringComparison.Ordinal) == true && e.Message.EndsWith(OldSuffix, StringComparison.Ordinal))
                .Select(e => Utc(e.Date!.Value))
                .Where(at => at >= Fenced && at <= Writer)
                .ToList();
            if (instanceRenames.Count > 0)
            {
                operations.Add(new AwsOperation("Instance renames and DNS change", instanceRenames.Min(), instanceRenames.Max() + Longest(Durations.Reboot, Durations.DnsChange)));
            }

            operations.Add(new AwsOperation("LatestRestorableTime reaching T1", t1, t1 + Durations.RestorableLag));
            var restored = EventAt(e => e.SourceIdentifier == ClusterId && e.Message == "Restored from DB cluster to point in time");
            if (CallAt("RestoreDBClusterToPointInTime", Fenced) is { } restoreCall && restored is { } restoredAt)
            {
                operations.Add(new AwsOperation("Restore", restoreCall, restoredAt));
            }

            // The writer is created first; its creation ends with the first instance created after the restore.
            if (restored is { } afterRestore
                && CallAt("CreateDBInstance", afterRestore) is { } createCall
                && EventAt(e => e.Message == "DB instance created" && e.Date is { } d && Utc(d) >= createCall) is { } created)
            {
                operations.Add(new AwsOperation("Writer instance creation", createCall, created));
            }

            return operations;
        }

        private static TimeSpan Longest(TimeSpan one, TimeSpan other) => one > other ? one : other;

        private static DateTimeOffset Utc(DateTime date) => new(DateTime.SpecifyKind(date, DateTimeKind.Utc));

        private DateTimeOffset? EventAt(Func<Event, bool> match) =>
            Events.Where(match).Select(e => (DateTimeOffset?)Utc(e.Date!.Value)).Min();

        // The first successful call of the operation from after until the outage's end.
        private DateTimeOffset? CallAt(string operation, DateTimeOffset after) =>
            Calls.Find(account: Account, service: "rds", operation: operation)
                .Where(c => c.ErrorCode is null && c.Time >= after && c.Time <= Writer)
                .Select(c => (DateTimeOffset?)c.Time)
                .Min();
    }

    /// <summary>
    /// A Blue/Green cutover's outage: the application's longest gap between acknowledged writes around the
    /// switchover (AWS's clock), and the switchover itself from the deployment's RDS events (started, completed).
    /// Rekey makes no call inside that window, so whatever is not the switchover is DNS and reconnection.
    /// </summary>
    public static async Task<OutageBreakdown> ReadBlueGreenAsync(
        IAmazonRDS rds, string clusterId, (DateTimeOffset Start, DateTimeOffset End) window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rds);
        var events = new List<Event>();
        var request = new DescribeEventsRequest { SourceType = "blue-green-deployment", StartTime = window.Start.UtcDateTime.AddMinutes(-10), EndTime = window.End.UtcDateTime.AddMinutes(10) };
        await foreach (var item in rds.DescribeEventsAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            events.Add(item);
        }

        DateTimeOffset? Last(string prefix, DateTimeOffset before) =>
            events.Where(e => e.Message?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true)
                .Select(e => new DateTimeOffset(DateTime.SpecifyKind(e.Date!.Value, DateTimeKind.Utc)))
                .Where(at => at <= before)
                .Select(at => (DateTimeOffset?)at)
                .Max();

        var operations = new List<AwsOperation>();
        TimeSpan? seenAfter = null;
        if (Last("Switchover completed", window.End.AddMinutes(10)) is { } completed && Last("Switchover started", completed) is { } started)
        {
            operations.Add(new AwsOperation("Switchover", started, completed));
            var oldBlue = await new ClusterReader(rds).FindClusterAsync(Strategies.BlueGreenDeployments.OldBlueId(clusterId), cancellationToken).ConfigureAwait(false);
            if (oldBlue?.Tag(Strategies.BlueGreenDeployments.SwitchedAtTag) is { } seenText)
            {
                seenAfter = DateTimeOffset.Parse(seenText, CultureInfo.InvariantCulture) - completed;
            }
        }

        return new OutageBreakdown { Cluster = clusterId, Strategy = "blue-green", OutageStart = window.Start, OutageEnd = window.End, Operations = operations, SeenAfter = seenAfter };
    }

    private DateTimeOffset Clip(DateTimeOffset time) =>
        time < OutageStart ? OutageStart : time > OutageEnd ? OutageEnd : time;

    private static TimeSpan Union(IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> intervals)
    {
        var total = TimeSpan.Zero;
        DateTimeOffset? start = null;
        DateTimeOffset end = default;
        foreach (var (s, e) in intervals.Where(i => i.End > i.Start).OrderBy(i => i.Start))
        {
            if (start is null || s > end)
            {
                if (start is not null)
                {
                    total += end - start.Value;
                }

                (start, end) = (s, e);
            }
            else if (e > end)
            {
                end = e;
            }
        }

        return start is null ? total : total + (end - start.Value);
    }

    private static DateTimeOffset TagTime(DBCluster cluster, string tag) =>
        cluster.Tag(tag) is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"Cluster {cluster.DBClusterIdentifier} has no {tag} tag; the cutover did not get that far.");
}
