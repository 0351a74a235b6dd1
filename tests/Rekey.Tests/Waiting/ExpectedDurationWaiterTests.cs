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
        Assert.InRange(looks, 10, 30);
        Assert.InRange(seenAfter.TotalSeconds, 0, 2 + 1);
    }

    [Fact]
    public void Pauses_are_three_quarters_of_the_time_left_early_and_dense_shortly_before_the_expected_end()
    {
        var waiter = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        Assert.Equal(TimeSpan.FromMinutes(5), waiter.PauseAfter(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds((1176 - 1000) * 0.75), waiter.PauseAfter(TimeSpan.FromSeconds(1000)));
        Assert.Equal(TimeSpan.FromSeconds(2), waiter.PauseAfter(TimeSpan.FromSeconds(1180)));
        Assert.Equal(TimeSpan.FromSeconds(2), waiter.PauseAfter(TimeSpan.FromSeconds(1200)));
    }

    [Fact]
    public void Past_the_expected_end_pauses_are_two_percent_of_the_time_waited_so_Rekey_adds_about_one_percent()
    {
        var waiter = new Waiter(Settings, TimeProvider.System, NullLogger.Instance).DuringOutage.Expecting(TimeSpan.FromMinutes(20));

        Assert.Equal(TimeSpan.FromSeconds(30), waiter.PauseAfter(TimeSpan.FromSeconds(1500)));
        Assert.Equal(TimeSpan.FromMinutes(5), waiter.PauseAfter(TimeSpan.FromHours(10)));
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
