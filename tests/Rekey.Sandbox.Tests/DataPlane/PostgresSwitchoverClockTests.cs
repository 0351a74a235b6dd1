using System.Diagnostics;
using Rekey.Sandbox.DataPlane;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.DataPlane;

/// <summary>
/// Green's catch-up in a switchover is the engine's real work: the clock runs at real speed while it lasts, so a slow one is
/// not read as minutes of switchover at the clock's speed; but for a bounded time only, so a stuck one still reaches the timeout.
/// </summary>
public sealed class PostgresSwitchoverClockTests(FastPostgresSandboxFixture fixture) : IClassFixture<FastPostgresSandboxFixture>
{
    /// <summary>How long green is kept from catching up, in real time: a minute of AWS time at the fixture's speed.</summary>
    private static readonly TimeSpan Held = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_catch_up_held_for_two_real_seconds_lengthens_the_switchover_by_about_two_seconds_not_by_a_minute()
    {
        var (deployment, green, subscription) = await StuckSwitchoverAsync("pg-clock-slow", switchoverTimeout: 600);
        var blocked = await WritesBlockedAsync(deployment);

        await Task.Delay(Held);
        await green.ExecuteAsync($"ALTER SUBSCRIPTION {subscription} ENABLE", "app");

        Assert.Equal(BlueGreenStatus.SwitchoverCompleted, await EndsAsync(deployment, TimeSpan.FromMinutes(1)));
        var completed = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == deployment).SwitchoverCompletedAt)!.Value;

        // The model's switchover after the writes stop is the lag plus the renames (about 21 s); held at the clock's
        // speed, the two real seconds alone would read as 60 s.
        var modelled = BlueGreenTimings.BaseLag + BlueGreenTimings.Renames;
        Assert.InRange(completed - blocked, modelled, modelled + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_catch_up_that_never_ends_runs_the_clock_at_its_speed_again_so_the_switchover_reaches_its_timeout()
    {
        var (deployment, _, _) = await StuckSwitchoverAsync("pg-clock-stuck", switchoverTimeout: 120);
        var started = Stopwatch.StartNew();

        // At real speed to the end, the 120 s timeout would take two real minutes.
        Assert.Equal(BlueGreenStatus.SwitchoverFailed, await EndsAsync(deployment, TimeSpan.FromSeconds(40)));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(40), $"the switchover failed after {started.Elapsed.TotalSeconds:0.0} s of real time");
    }

    /// <summary>A real-engine deployment whose green has stopped applying blue's writes, and a switchover asked for.</summary>
    private async Task<(string Deployment, PostgresServer Green, string Subscription)> StuckSwitchoverAsync(string name, int switchoverTimeout)
    {
        var stuck = await fixture.GreenStoppedApplyingAsync(name);
        await fixture.Query.CallAsync(
            "SwitchoverBlueGreenDeployment",
            [new("BlueGreenDeploymentIdentifier", stuck.Deployment), new("SwitchoverTimeout", switchoverTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return (stuck.Deployment, stuck.Green, stuck.Subscription);
    }

    /// <summary>Reads the deployment (each read moves the sandbox's transitions on) until its writes are stopped; returns since when.</summary>
    private async Task<DateTimeOffset> WritesBlockedAsync(string deployment)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == deployment).WritesBlockedFrom) is { } from)
            {
                return from;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the switchover's guardrails did not pass within 30 s of real time");
            await Task.Delay(10);
        }
    }

    /// <summary>Reads the deployment, without moving the clock, until its switchover has ended.</summary>
    private async Task<string> EndsAsync(string deployment, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (fixture.DeploymentStatus(deployment) == BlueGreenStatus.SwitchoverInProgress)
        {
            Assert.True(deadline.Elapsed < within, $"the switchover did not end within {within.TotalSeconds:0} s of real time");
            await Task.Delay(20);
        }

        return fixture.DeploymentStatus(deployment);
    }
}
