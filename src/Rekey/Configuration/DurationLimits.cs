using System.Globalization;
using System.Text.RegularExpressions;

namespace Rekey.Configuration;

/// <summary>
/// A duration argument (7d, 36h, 90m, 1d12h, 0.05s) and the range it must fall in, checked when the
/// argument is read: a wait of 0 or of centuries would start an outage that cannot finish.
/// </summary>
public sealed partial record DurationLimits(TimeSpan Least, TimeSpan Most)
{
    /// <summary>Cleanup may delete the old cluster after 0 seconds (a rehearsal) up to ten years.</summary>
    public static readonly DurationLimits MinAge = new(TimeSpan.Zero, TimeSpan.FromDays(3650));

    /// <summary>A pause between two looks at AWS: 10 ms (a sandbox) to an hour.</summary>
    public static readonly DurationLimits PollInterval = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));

    public static readonly DurationLimits MaxPollInterval = PollInterval;

    /// <summary>How often a long wait is announced on SNS: every minute to once a day, in AWS time.</summary>
    public static readonly DurationLimits HeartbeatInterval = new(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));

    public static readonly DurationLimits OutagePollInterval = PollInterval;

    /// <summary>A wait's deadline: at least a second, at most a day (the longest timeout the waits' resilience pipeline takes).</summary>
    public static readonly DurationLimits MaxWait = new(TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

    /// <summary>The duration, or the problem naming the allowed range.</summary>
    public (TimeSpan? Value, string? Problem) Parse(string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
        {
            return (null, $"'{text}' is not a duration such as 7d, 36h, 90m or 1d12h ({Range}).");
        }

        // Summed in seconds as a double, so 99999999999d is out of range rather than a TimeSpan overflow.
        var seconds = 0.0;
        foreach (Capture capture in match.Groups["part"].Captures)
        {
            var amount = double.Parse(capture.Value[..^1], CultureInfo.InvariantCulture);
            seconds += amount * capture.Value[^1] switch
            {
                'd' => 86400,
                'h' => 3600,
                'm' => 60,
                _ => 1,
            };
        }

        return seconds < Least.TotalSeconds || seconds > Most.TotalSeconds
            ? (null, $"'{text}' is out of range: give {Range}.")
            : (TimeSpan.FromSeconds(seconds), null);
    }

    /// <summary>The allowed range, as the user writes durations.</summary>
    public string Range => $"from {Format(Least)} to {Format(Most)}";

    private static string Format(TimeSpan value) =>
        value == TimeSpan.Zero ? "0s"
        : value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays) ? $"{value.TotalDays.ToString(CultureInfo.InvariantCulture)}d"
        : value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours) ? $"{value.TotalHours.ToString(CultureInfo.InvariantCulture)}h"
        : $"{value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";

    [GeneratedRegex(@"^(?<part>[0-9]+(\.[0-9]+)?[dhms])+$")]
    private static partial Regex DurationPattern();
}
