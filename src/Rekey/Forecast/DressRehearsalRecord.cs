using System.Globalization;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.State;

namespace Rekey.Forecast;

/// <summary>
/// What a dress rehearsal measured, kept as tags on the source cluster. Tags are metadata, not the cluster's
/// data (invariant 1 protects the data), and AWS is the journal: a Plan on a fresh runner finds them there,
/// where an artifact of an earlier workflow run may be gone.
/// </summary>
public sealed record DressRehearsalRecord(
    string RunId,
    DateTimeOffset StartedAt,
    TimeSpan Restore,
    TimeSpan Writer,
    TimeSpan RestorableLag,
    string InstanceClass)
{
    public const string RunIdTag = "rekey:dress-run-id";
    public const string StartedAtTag = "rekey:dress-at";
    public const string RestoreTag = "rekey:dress-restore-seconds";
    public const string WriterTag = "rekey:dress-writer-seconds";
    public const string LagTag = "rekey:dress-lag-seconds";
    public const string ClassTag = "rekey:dress-class";

    /// <summary>An estimate, not measured: the rename and the old names leaving DNS (AWS: "about two minutes" for Multi-AZ DB clusters).</summary>
    public static readonly TimeSpan RenameAndDns = TimeSpan.FromMinutes(2);

    /// <summary>Blue/Green's switchover is "typically under a minute"; the run's SwitchoverTimeout bounds it, since AWS rolls back after it.</summary>
    public static readonly TimeSpan BlueGreenTypical = TimeSpan.FromMinutes(1);

    /// <summary>Restore-swap's write outage: rename + DNS + the restorable time's lag + the restore + the writer.</summary>
    public TimeSpan RestoreSwapOutage => RenameAndDns + RestorableLag + Restore + Writer;

    public IReadOnlyDictionary<string, string> ToTags() => new Dictionary<string, string>
    {
        [RunIdTag] = RunId,
        [StartedAtTag] = Tagging.Iso(StartedAt),
        [RestoreTag] = Seconds(Restore),
        [WriterTag] = Seconds(Writer),
        [LagTag] = Seconds(RestorableLag),
        [ClassTag] = InstanceClass,
    };

    /// <summary>The record on <paramref name="cluster"/>, or null when no dress rehearsal of it was recorded (or its tags are damaged).</summary>
    public static DressRehearsalRecord? From(DBCluster cluster)
    {
        var tags = cluster.Tags();
        return tags.TryGetValue(RunIdTag, out var runId)
            && tags.TryGetValue(StartedAtTag, out var at) && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started)
            && Duration(tags, RestoreTag) is { } restore
            && Duration(tags, WriterTag) is { } writer
            && Duration(tags, LagTag) is { } lag
            ? new DressRehearsalRecord(runId, started, restore, writer, lag, tags.GetValueOrDefault(ClassTag) ?? "unknown")
            : null;
    }

    /// <summary>Plan's outage lines from this record, <paramref name="now"/> on AWS's clock telling its age.</summary>
    public IReadOnlyList<string> ForecastLines(DateTimeOffset now, TimeSpan switchoverTimeout) =>
    [
        $"Measured by the dress rehearsal of {Tagging.Iso(StartedAt)} (run {RunId}, {Age(now - StartedAt)} ago, on AWS's clock): restore {Text(Restore)}, writer {Text(Writer)} ({InstanceClass}), "
        + $"latest restorable time {Text(RestorableLag)} behind.",
        $"Forecast write outage, restore-swap: rename and DNS (about {Text(RenameAndDns)}, estimated) "
        + $"+ restorable lag {Text(RestorableLag)} + restore {Text(Restore)} + writer {Text(Writer)} = about {Text(RestoreSwapOutage)}.",
        $"Forecast write outage, Blue/Green: the switchover, typically about {Text(BlueGreenTypical)}, "
        + $"at most the switchover timeout ({Text(switchoverTimeout)}, --switchover-timeout) before AWS rolls it back.",
        "A restore's time grows with the cluster's volume: rehearse again when the data has grown.",
    ];

    public static string Text(TimeSpan span) => Reporting.Durations.Text(span);

    private static string Age(TimeSpan age) => Reporting.Durations.Text(age < TimeSpan.Zero ? TimeSpan.Zero : age);

    private static string Seconds(TimeSpan span) => Math.Round(span.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    private static TimeSpan? Duration(IReadOnlyDictionary<string, string> tags, string key) =>
        tags.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
