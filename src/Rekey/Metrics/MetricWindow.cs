namespace Rekey.Metrics;

/// <summary>
/// A time window for CloudWatch GetMetricData that CloudWatch accepts: the start rounded down and the end rounded up
/// to the period, so the end is after the start by at least one period. Two readings of AWS's clock come from
/// whole-second Date headers and are often equal; CloudWatch rejects StartTime equal to EndTime. Every window Rekey
/// sends is built here.
/// </summary>
public sealed record MetricWindow
{
    private MetricWindow(DateTimeOffset start, DateTimeOffset end, int periodSeconds)
    {
        Start = start;
        End = end;
        PeriodSeconds = periodSeconds;
    }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    public int PeriodSeconds { get; }

    /// <summary>The window from <paramref name="start"/> to <paramref name="end"/> in periods of <paramref name="periodSeconds"/>, widened to whole periods.</summary>
    public static MetricWindow Between(DateTimeOffset start, DateTimeOffset end, int periodSeconds)
    {
        // CloudWatch's periods: 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds.
        if (periodSeconds is not (1 or 5 or 10 or 30) && (periodSeconds <= 0 || periodSeconds % 60 != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(periodSeconds), periodSeconds, "A CloudWatch period is 1, 5, 10, 30 or a multiple of 60 seconds.");
        }

        if (end < start)
        {
            throw new ArgumentException($"The window ends ({end:O}) before it starts ({start:O}).", nameof(end));
        }

        var first = Floor(start, periodSeconds);
        var last = Ceiling(end, periodSeconds);
        if (last - first < TimeSpan.FromSeconds(periodSeconds))
        {
            last = first.AddSeconds(periodSeconds);
        }

        return new MetricWindow(first, last, periodSeconds);
    }

    /// <summary>The last <paramref name="length"/> up to <paramref name="end"/>.</summary>
    public static MetricWindow Last(TimeSpan length, DateTimeOffset end, int periodSeconds) => Between(end - length, end, periodSeconds);

    public override string ToString() => $"{Start:u} to {End:u} ({PeriodSeconds} s periods)";

    private static DateTimeOffset Floor(DateTimeOffset time, int periodSeconds)
    {
        var seconds = time.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds - (((seconds % periodSeconds) + periodSeconds) % periodSeconds));
    }

    private static DateTimeOffset Ceiling(DateTimeOffset time, int periodSeconds)
    {
        var floor = Floor(time, periodSeconds);
        return floor == time ? floor : floor.AddSeconds(periodSeconds);
    }
}
