using System.Globalization;
using Humanizer;

namespace Rekey.Reporting;

/// <summary>
/// The one way Rekey writes a duration, in logs, reports, job summaries and SNS messages: its two largest units in
/// words ("4 minutes, 12 seconds", "1 hour, 3 minutes"), under a second in milliseconds, written by Humanizer.
/// </summary>
public static class Durations
{
    public static string Text(TimeSpan span)
    {
        var length = span.Duration();
        var text = length.Humanize(
            precision: 2,
            culture: CultureInfo.InvariantCulture,
            maxUnit: TimeUnit.Day,
            minUnit: length < TimeSpan.FromSeconds(1) ? TimeUnit.Millisecond : TimeUnit.Second);
        return span < TimeSpan.Zero ? "minus " + text : text;
    }

    public static string Text(double seconds) => Text(TimeSpan.FromSeconds(seconds));
}
