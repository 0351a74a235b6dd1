using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Tests;

/// <summary>The clock at real speed: a real engine's work takes its real time, not that time multiplied by the clock's speed.</summary>
public sealed class SandboxClockTests
{
    private const double Speed = 100_000;

    [Fact]
    public async Task At_real_speed_the_clock_moves_by_the_real_time_and_afterwards_at_its_speed_again()
    {
        var clock = new SandboxClock(Speed, DateTimeOffset.UnixEpoch);
        DateTimeOffset before;
        using (clock.AtRealSpeed())
        {
            before = clock.Now;
            await Task.Delay(50);

            // At its speed 50 ms would be more than an hour and a half of AWS time.
            Assert.InRange(clock.Now - before, TimeSpan.Zero, TimeSpan.FromSeconds(30));
            Assert.False(clock.IsPaused);
        }

        var after = clock.Now;
        await Task.Delay(50);
        Assert.True(clock.Now - after > TimeSpan.FromMinutes(10), $"the clock moved only {clock.Now - after} after the scope ended");
    }

    [Fact]
    public async Task Real_speed_scopes_nest_and_the_clock_runs_at_its_speed_only_when_the_last_one_ends()
    {
        var clock = new SandboxClock(Speed, DateTimeOffset.UnixEpoch);
        var outer = clock.AtRealSpeed();
        var inner = clock.AtRealSpeed();
        inner.Dispose();
        inner.Dispose();
        var before = clock.Now;
        await Task.Delay(50);
        Assert.InRange(clock.Now - before, TimeSpan.Zero, TimeSpan.FromSeconds(30));

        outer.Dispose();
        before = clock.Now;
        await Task.Delay(50);
        Assert.True(clock.Now - before > TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_paused_clock_stays_paused_through_a_real_speed_scope()
    {
        var clock = new SandboxClock(Speed, DateTimeOffset.UnixEpoch);
        var paused = clock.Pause();
        using (clock.AtRealSpeed())
        {
            await Task.Delay(20);
            Assert.Equal(paused, clock.Now);
        }

        await Task.Delay(20);
        Assert.Equal(paused, clock.Now);
        Assert.True(clock.IsPaused);
    }
}
