using Rekey.Metrics;

namespace Rekey.Tests.Metrics;

public sealed class MetricWindowTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_readings_of_one_whole_second_Date_make_a_window_of_one_period_not_an_empty_one()
    {
        var at = Noon.AddSeconds(17);

        var window = MetricWindow.Between(at, at, 60);

        Assert.Equal(Noon, window.Start);
        Assert.Equal(Noon.AddMinutes(1), window.End);
    }

    [Fact]
    public void A_start_on_a_period_boundary_equal_to_the_end_still_spans_a_whole_period()
    {
        var window = MetricWindow.Between(Noon, Noon, 60);

        Assert.Equal(Noon, window.Start);
        Assert.Equal(Noon.AddMinutes(1), window.End);
    }

    [Theory]
    [InlineData(0, 1, 60)]
    [InlineData(59, 61, 60)]
    [InlineData(1, 3599, 300)]
    [InlineData(3, 4, 5)]
    [InlineData(30, 30, 1)]
    public void Every_window_ends_after_it_starts_by_at_least_its_period_and_covers_what_was_asked(int fromSecond, int toSecond, int period)
    {
        var start = Noon.AddSeconds(fromSecond);
        var end = Noon.AddSeconds(toSecond);

        var window = MetricWindow.Between(start, end, period);

        Assert.True(window.End - window.Start >= TimeSpan.FromSeconds(period), window.ToString());
        Assert.True(window.Start <= start && window.End >= end, window.ToString());
        Assert.Equal(0, window.Start.ToUnixTimeSeconds() % period);
        Assert.Equal(0, window.End.ToUnixTimeSeconds() % period);
    }

    [Fact]
    public void The_last_minutes_up_to_now_end_at_the_next_period_boundary()
    {
        var window = MetricWindow.Last(TimeSpan.FromMinutes(5), Noon.AddSeconds(90), 60);

        Assert.Equal(Noon.AddMinutes(-4), window.Start);
        Assert.Equal(Noon.AddMinutes(2), window.End);
    }

    [Fact]
    public void A_window_that_ends_before_it_starts_or_a_period_CloudWatch_does_not_know_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MetricWindow.Between(Noon, Noon.AddSeconds(-1), 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricWindow.Between(Noon, Noon, 45));
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricWindow.Between(Noon, Noon, 0));
    }
}
