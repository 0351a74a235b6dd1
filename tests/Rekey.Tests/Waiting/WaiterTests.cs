using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rekey.Waiting;

namespace Rekey.Tests.Waiting;

public sealed class WaiterTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    private static readonly WaitSettings Settings = new() { PollInterval = TimeSpan.FromSeconds(1), MaxPollInterval = TimeSpan.FromSeconds(8), OutagePollInterval = TimeSpan.FromSeconds(2) };

    /// <summary>Moves the fake clock in small steps until the wait ends, letting the waiter's continuations run between steps.</summary>
    private static async Task Drive(FakeTimeProvider time, Task wait)
    {
        for (var i = 0; i < 20_000 && !wait.IsCompleted; i++)
        {
            time.Advance(Step);
            await Task.Delay(1);
        }

        Assert.True(wait.IsCompleted, "the wait did not end on the fake clock");
    }

    [Fact]
    public void A_progress_line_gives_the_share_of_the_expected_duration_its_source_the_ETA_and_the_deadline_on_AWSs_clock()
    {
        var aws = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var waiter = new Waiter(Settings, new FakeTimeProvider(), NullLogger.Instance)
            .WithAwsClock(() => aws)
            .Expecting(TimeSpan.FromMinutes(20), "measured by the dress rehearsal");

        Assert.Equal(
            "5 minutes so far; 25% of the expected 20 minutes (measured by the dress rehearsal); ETA at 2026-11-28T10:15:00Z on AWS's clock; gives up at 2026-11-28T13:55:00Z on AWS's clock",
            waiter.Progress(TimeSpan.FromMinutes(5), TimeSpan.FromHours(4)));
        Assert.Equal(
            "25 minutes so far; 125% of the expected 20 minutes (measured by the dress rehearsal); 5 minutes past the expected end; gives up at 2026-11-28T13:35:00Z on AWS's clock",
            waiter.Progress(TimeSpan.FromMinutes(25), TimeSpan.FromHours(4)));
    }

    [Fact]
    public void Without_AWSs_clock_or_an_expected_duration_a_progress_line_says_the_deadline_from_now_in_AWS_time()
    {
        // A sandbox clock 600 times faster: a second of the waiter's clock is ten minutes of AWS's.
        var waiter = new Waiter(Settings with { ClockSpeed = 600 }, new FakeTimeProvider(), NullLogger.Instance);

        Assert.Equal("10 minutes so far; gives up in 1 hour, 30 minutes", waiter.Progress(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_wait_longer_than_the_heartbeat_interval_tells_the_heartbeat_once_per_interval_of_AWS_time()
    {
        // AWS's clock 60 times faster: the 10-minute interval is 10 seconds here, the 25-minute restore 25 seconds.
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var beats = new List<string>();
        var waiter = new Waiter(Settings with { ClockSpeed = 60 }, time, NullLogger.Instance)
            .WithHeartbeat(TimeSpan.FromMinutes(10), (progress, _) =>
            {
                beats.Add(progress);
                return Task.CompletedTask;
            })
            .Expecting(TimeSpan.FromMinutes(20), "measured by the dress rehearsal");

        var wait = waiter.UntilAsync("the restore", TimeSpan.FromHours(1), _ =>
            Task.FromResult(time.GetUtcNow() - start >= TimeSpan.FromSeconds(25) ? Probe<int>.Ready(1, "available") : Probe<int>.NotYet(0, "creating")), CancellationToken.None);
        await Drive(time, wait);

        Assert.Equal(2, beats.Count);
        Assert.All(beats, b => Assert.StartsWith("Waiting for the restore: creating (", b, StringComparison.Ordinal));
        Assert.Contains("of the expected 20 minutes (measured by the dress rehearsal)", beats[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wait_shorter_than_the_heartbeat_interval_sends_no_heartbeat()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var beats = 0;
        var waiter = new Waiter(Settings, time, NullLogger.Instance).WithHeartbeat(TimeSpan.FromMinutes(10), (_, _) =>
        {
            beats++;
            return Task.CompletedTask;
        });

        var wait = waiter.UntilAsync("the rename", TimeSpan.FromHours(1), _ =>
            Task.FromResult(time.GetUtcNow() - start >= TimeSpan.FromSeconds(30) ? Probe<int>.Ready(1, "available") : Probe<int>.NotYet(0, "renaming")), CancellationToken.None);
        await Drive(time, wait);

        Assert.Equal(0, beats);
    }

    [Fact]
    public async Task Pauses_grow_from_the_poll_interval_up_to_the_maximum_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var looks = new List<TimeSpan>();
        var waiter = new Waiter(Settings, time, NullLogger.Instance);

        var wait = waiter.UntilAsync("the restore", TimeSpan.FromHours(1), _ =>
        {
            looks.Add(time.GetUtcNow() - start);
            return Task.FromResult(looks.Count == 8 ? Probe<int>.Ready(42, "available") : Probe<int>.NotYet(0, "creating"));
        }, CancellationToken.None);
        await Drive(time, wait);

        Assert.Equal(42, await wait);
        var pauses = looks.Zip(looks.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.Equal(7, pauses.Count);
        double[] expected = [1, 2, 4, 8, 8, 8, 8];
        Assert.All(pauses.Zip(expected), p => Assert.InRange(p.First, p.Second, p.Second + (2 * Step.TotalSeconds)));
    }

    [Fact]
    public async Task During_an_outage_the_waiter_looks_every_outage_poll_interval_without_backing_off()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var looks = new List<TimeSpan>();
        var waiter = new Waiter(Settings, time, NullLogger.Instance).DuringOutage;

        var wait = waiter.UntilAsync("the writer", TimeSpan.FromHours(1), _ =>
        {
            looks.Add(time.GetUtcNow() - start);
            return Task.FromResult(looks.Count == 6 ? Probe<int>.Ready(1, "available") : Probe<int>.NotYet(0, "creating"));
        }, CancellationToken.None);
        await Drive(time, wait);

        await wait;
        var pauses = looks.Zip(looks.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.Equal(5, pauses.Count);
        Assert.All(pauses, p => Assert.InRange(p, 2, 2 + (2 * Step.TotalSeconds)));
    }

    [Fact]
    public async Task Gives_up_at_the_deadline_on_the_injected_clock_saying_what_it_waited_for_and_last_saw()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var waiter = new Waiter(Settings, time, NullLogger.Instance);

        var wait = waiter.UntilAsync("orders' latest restorable time to reach T1", TimeSpan.FromMinutes(2), _ =>
            Task.FromResult(Probe<bool>.NotYet(false, "latest restorable time 09:55:00")), CancellationToken.None);
        await Drive(time, wait);

        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() => wait);

        // The test moves the fake clock while the waiter's continuations run on the thread pool: on a busy machine the
        // give-up is seen a few steps late, never early.
        Assert.InRange((time.GetUtcNow() - start).TotalSeconds, 120, 135);
        Assert.Contains("Gave up waiting for orders' latest restorable time to reach T1 after 2 minutes", error.Message, StringComparison.Ordinal);
        Assert.Contains("last seen: latest restorable time 09:55:00", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the same target again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_probe_whose_client_turns_the_deadlines_cancellation_into_its_own_error_still_ends_as_the_deadline()
    {
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance);

        // As DnsClient does: a query cancelled by the deadline ends in "timed out", not OperationCanceledException.
        var wait = waiter.UntilAsync("old endpoint names to disappear from DNS", TimeSpan.FromSeconds(30), async token =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("Query timed out or is a transient error.");
            }

            return Probe<bool>.NotYet(false, "still resolves");
        }, CancellationToken.None);
        await Drive(time, wait);

        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() => wait);
        Assert.Contains("Gave up waiting for old endpoint names to disappear from DNS after 30 seconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_condition_that_already_holds_returns_at_once_without_a_pause()
    {
        var time = new FakeTimeProvider();
        var waiter = new Waiter(Settings, time, NullLogger.Instance);

        var value = await waiter.UntilAsync("the writer", TimeSpan.FromMinutes(1), _ => Task.FromResult(Probe<string>.Ready("orders-1", "available")), CancellationToken.None);

        Assert.Equal("orders-1", value);
    }
}
