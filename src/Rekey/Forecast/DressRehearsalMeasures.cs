using Rekey.Checks;

namespace Rekey.Forecast;

/// <summary>
/// The dress rehearsal's times as verification items: a duration is measured only from AWS's own timestamps (the
/// resource's creation time to the Date of the answer that showed it available). When AWS gives no creation time the
/// duration is not measured, never zero: a forecast resting on it would promise an outage nobody measured.
/// </summary>
public static class DressRehearsalMeasures
{
    /// <summary>
    /// Records how long <paramref name="what"/> took: passed with the duration when <paramref name="created"/> is known,
    /// else not measured (essential). Returns the start to measure from; without a creation time, <paramref name="availableAt"/>.
    /// </summary>
    public static DateTimeOffset Start(Checklist checks, string what, string field, DateTimeOffset? created, DateTimeOffset availableAt, string lookInstead)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (created is { } start)
        {
            checks.Pass($"{what} took {DressRehearsalRecord.Text(availableAt - start)} on AWS's clock ({field} to available)");
            return start;
        }

        checks.NotMeasuredBecause(
            $"how long {what} took",
            $"AWS gave no {field}, so the start of {what} on AWS's clock is unknown; the forecast is not recorded from it.",
            lookInstead);
        return availableAt;
    }
}
