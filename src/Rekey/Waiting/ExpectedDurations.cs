using Rekey.Aws.RDS.Model;
using Rekey.Forecast;

namespace Rekey.Waiting;

/// <summary>
/// How long AWS's operations are expected to take, which shapes how often the waits look (<see cref="Waiter.Expecting"/>):
/// a dress rehearsal's measurement of the cluster when it has one (tags on the source cluster), else AWS's typical figure.
/// </summary>
/// <param name="RestorableLag">How far LatestRestorableTime trails AWS's clock.</param>
/// <param name="Restore">A point-in-time restore, until the cluster is available.</param>
/// <param name="Instance">An instance's creation, until it is available.</param>
/// <param name="Measured">Whether the restore and instance times come from a dress rehearsal.</param>
public sealed record ExpectedDurations(TimeSpan RestorableLag, TimeSpan Restore, TimeSpan Instance, bool Measured)
{
    /// <summary>LatestRestorableTime's lag behind the clock: undocumented, "commonly about five minutes".</summary>
    public static readonly TimeSpan TypicalRestorableLag = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A point-in-time restore of a small cluster. AWS publishes no figure ("can take up to a few hours"): twenty minutes is
    /// a guess for a small cluster, and the reason to run a DressRehearsal, whose measurement replaces it.
    /// </summary>
    public static readonly TimeSpan TypicalRestore = TimeSpan.FromMinutes(20);

    /// <summary>An Aurora instance's creation: no AWS figure either; ten minutes is a guess a DressRehearsal replaces.</summary>
    public static readonly TimeSpan TypicalInstance = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A cluster's or instance's rename, until it is available under the new name: AWS documents no figure (only "about two
    /// minutes" for a Multi-AZ DB cluster's DNS); a minute is a guess, and the instances' renames then expect what the
    /// cluster's rename took in the same run.
    /// </summary>
    public static readonly TimeSpan TypicalRename = TimeSpan.FromMinutes(1);

    public static ExpectedDurations Typical { get; } = new(TypicalRestorableLag, TypicalRestore, TypicalInstance, Measured: false);

    /// <summary>The dress rehearsal recorded on <paramref name="source"/> (under either name), else the typical figures.</summary>
    public static ExpectedDurations Of(DBCluster? source) =>
        source is not null && DressRehearsalRecord.From(source) is { } record
            ? new(record.RestorableLag > TimeSpan.Zero ? record.RestorableLag : TypicalRestorableLag, record.Restore, record.Writer, Measured: true)
            : Typical;

    /// <summary>
    /// A Blue/Green green: a full copy on the new key (as long as a restore) and then its instances, one after another
    /// (the hostile reading: AWS does not say whether they are created in parallel).
    /// </summary>
    public TimeSpan Green(int instances) => Restore + (Instance * Math.Max(1, instances));

    /// <summary>"measured by the dress rehearsal" or "AWS's typical figure", for the log.</summary>
    public string Source => Measured ? "measured by the dress rehearsal" : "a typical figure (no dress rehearsal recorded)";
}
