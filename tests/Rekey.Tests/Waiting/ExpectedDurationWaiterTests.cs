using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rekey.Waiting;

namespace Rekey.Tests.Waiting;

public sealed class ExpectedDurationWaiterTests
{
    private static readonly WaitSettings Settings = new()
    {
        PollInterval = TimeSpan.FromSeconds(5),
        MaxPollInterval = TimeSpan.FromSeconds(30),
        OutagePollInterval = TimeSpan.FromSeconds(2),
        MaxSparsePollInterval = TimeSpan.FromMinutes(5),
    };

    /// <summary>The looks of a wait for an operation that ends <paramref name="endsAfter"/> into it, and when the wait saw it.</summary>
    private static async Task<(int Looks, TimeSpan SeenAfter)> WaitForAsync(Waiter waiter, TimeProvider time, TimeSpan endsAfter)
    {
        var start = time.GetUtcNow();
        var looks = 0;
        var seen = TimeSpan.Zero;
        var wait = waiter.UntilAsync("the restore", TimeSpan.FromHours(8), _ =>
        {
            looks++;
            seen = time.GetUtcNow() - start;
            return Task.FromResult(seen >= endsAfter ? Probe<int>.Ready(1, "available") : Probe<int>.NotYet(0, "creating"));
        }, CancellationToken.None);
        var fake = (FakeTimeProvider)time;
        for (var i = 0; i < 20_000 && !wait.IsCompleted; i++)
        {
            fake.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        Assert.True(wait.IsCompleted, "the wait did not end on the fake clock");
        await wait;
        return (looks, seen - endsAfter);
    }

    [Fact]
    public async Task A_twenty_minute_restore_that_ends_as_expected_costs_a_few_dozen_looks_and_is_seen_within_one_outage_interval()
    {
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        var (looks, seenAfter) = await WaitForAsync(waiter, time, TimeSpan.FromMinutes(20));

        // The plain outage waiter looks every 2 s: 600 looks for the same restore.
        Assert.InRange(looks, 6, 20);
        Assert.InRange(seenAfter.TotalSeconds, 0, 2 + 1);
    }

    [Fact]
    public void Pauses_are_three_quarters_of_the_time_left_early_and_dense_shortly_before_the_expected_end()
    {
        var waiter = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        // The dense phase is the last 1 % (12 s) of the twenty minutes; before it, three quarters of the time left, capped.
        Assert.Equal(TimeSpan.FromMinutes(5), waiter.PauseAfter(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds((1188 - 1000) * 0.75), waiter.PauseAfter(TimeSpan.FromSeconds(1000)));

        // Close to the dense phase no pause is shorter than the phase itself: the next look lands inside it.
        Assert.Equal(TimeSpan.FromSeconds(12), waiter.PauseAfter(TimeSpan.FromSeconds(1180)));
        Assert.Equal(TimeSpan.FromSeconds(2), waiter.PauseAfter(TimeSpan.FromSeconds(1190)));
        Assert.Equal(TimeSpan.FromSeconds(2), waiter.PauseAfter(TimeSpan.FromSeconds(1200)));
    }

    [Fact]
    public async Task The_looks_of_a_twenty_minute_restore_are_minutes_apart_early_and_one_outage_interval_apart_at_the_expected_end()
    {
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        var looks = await LookTimesAsync(waiter, time, TimeSpan.FromMinutes(20));

        var gaps = looks.Zip(looks.Skip(1), (earlier, later) => (later - earlier).TotalSeconds).ToList();
        Assert.Equal([300, 300, 300], gaps.Take(3));
        Assert.All(gaps.Zip(gaps.Skip(1)), pair => Assert.True(pair.Second <= pair.First, $"a pause grew before the end: {string.Join(", ", gaps)}"));
        Assert.All(looks.Skip(1).Where(t => t.TotalSeconds > 1188), t => Assert.InRange(gaps[looks.IndexOf(t) - 1], 0, 12 + 1));
        Assert.Equal([2, 2], gaps.TakeLast(2));
        Assert.InRange(looks.Count, 8, 12);
        Assert.InRange((looks[^1] - TimeSpan.FromMinutes(20)).TotalSeconds, 0, 2 + 1);
    }

    [Fact]
    public async Task Outside_the_outage_a_fifty_minute_green_is_looked_at_every_ten_minutes_early_and_every_half_percent_of_it_near_its_end()
    {
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance).Expecting(TimeSpan.FromMinutes(50));

        var looks = await LookTimesAsync(waiter, time, TimeSpan.FromMinutes(50));

        Assert.Equal(TimeSpan.FromSeconds(15), waiter.DenseInterval(TimeSpan.FromMinutes(50)));
        Assert.Equal(TimeSpan.FromSeconds(2), waiter.DuringOutage.DenseInterval(TimeSpan.FromMinutes(50)));
        var gaps = looks.Zip(looks.Skip(1), (earlier, later) => (later - earlier).TotalSeconds).ToList();
        Assert.Equal([600, 600, 600, 600], gaps.Take(4));
        Assert.Equal(15, gaps[^1]);
        Assert.InRange(looks.Count, 8, 12);
        Assert.InRange((looks[^1] - TimeSpan.FromMinutes(50)).TotalSeconds, 0, 15 + 1);
    }

    /// <summary>When each look of a wait for an operation that ends <paramref name="endsAfter"/> into it came, from the wait's start.</summary>
    private static async Task<List<TimeSpan>> LookTimesAsync(Waiter waiter, FakeTimeProvider time, TimeSpan endsAfter)
    {
        var start = time.GetUtcNow();
        var looks = new List<TimeSpan>();
        var wait = waiter.UntilAsync("the restore", TimeSpan.FromHours(8), _ =>
        {
            looks.Add(time.GetUtcNow() - start);
            return Task.FromResult(looks[^1] >= endsAfter ? Probe<int>.Ready(1, "available") : Probe<int>.NotYet(0, "creating"));
        }, CancellationToken.None);

        // A second at a time: a look due within a second happens at its end, so a gap may read up to a second longer.
        for (var i = 0; i < 20_000 && !wait.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        Assert.True(wait.IsCompleted, "the wait did not end on the fake clock");
        await wait;
        return looks;
    }

    [Fact]
    public void Past_the_expected_end_pauses_are_two_percent_of_the_time_waited_so_Rekey_adds_about_one_percent()
    {
        var waiter = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        Assert.Equal(TimeSpan.FromSeconds(30), waiter.PauseAfter(TimeSpan.FromSeconds(1500)));
        Assert.Equal(TimeSpan.FromMinutes(5), waiter.PauseAfter(TimeSpan.FromHours(10)));
    }

    [Fact]
    public void Outside_the_outage_pauses_past_the_expected_end_are_five_percent_of_the_time_waited()
    {
        var waiter = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).Expecting(TimeSpan.FromMinutes(50));

        Assert.Equal(TimeSpan.FromSeconds(0.05 * 3600), waiter.PauseAfter(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMinutes(10), waiter.PauseAfter(TimeSpan.FromHours(10)));
    }

    [Fact]
    public void In_the_outage_pauses_past_the_expected_end_grow_from_the_dense_one_by_half_the_time_overdue_and_outside_it_jump()
    {
        var outage = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));
        var quiet = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).Expecting(TimeSpan.FromMinutes(20));

        Assert.Equal(TimeSpan.FromSeconds(2), outage.PauseAfter(TimeSpan.FromSeconds(1201)));
        Assert.Equal(TimeSpan.FromSeconds(10), outage.PauseAfter(TimeSpan.FromSeconds(1220)));
        Assert.Equal(TimeSpan.FromSeconds(0.05 * 1201), quiet.PauseAfter(TimeSpan.FromSeconds(1201)));
    }

    [Fact]
    public async Task In_the_outage_an_operation_that_ends_just_after_its_expected_end_is_seen_within_one_outage_interval()
    {
        // As the dress rehearsal waits too: what it sees late is what it records, and a cutover's dense phase, the last 1 %
        // of that figure, would then begin after AWS had finished.
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        var (_, seenAfter) = await WaitForAsync(waiter, time, TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(3));

        // Before, the first pause past the end was 2 % of the time waited: 24 s.
        Assert.InRange(seenAfter.TotalSeconds, 0, 2 + 1);
    }

    [Fact]
    public async Task An_operation_that_takes_twice_as_long_as_expected_is_still_seen_within_two_percent_of_its_time()
    {
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(10));

        var (looks, seenAfter) = await WaitForAsync(waiter, time, TimeSpan.FromMinutes(20));

        Assert.InRange(seenAfter.TotalSeconds, 0, 0.02 * 1200 + 1);
        Assert.InRange(looks, 10, 80);
    }

    [Fact]
    public void Without_an_expected_duration_the_usual_backoff_applies()
    {
        var waiter = new Waiter(Settings, TimeProvider.System, NullLogger.Instance);

        Assert.Null(waiter.PauseAfter(TimeSpan.FromMinutes(3)));
        Assert.Null(waiter.Expecting(TimeSpan.Zero).PauseAfter(TimeSpan.FromMinutes(3)));
    }
}
