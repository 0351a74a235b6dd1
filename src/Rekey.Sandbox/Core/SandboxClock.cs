using System.Diagnostics;

namespace Rekey.Sandbox.Core;

/// <summary>
/// The sandbox's time. It runs <see cref="Speed"/> times faster than real time and can be moved
/// forward, so tests see AWS minutes pass in milliseconds. Everything the sandbox returns is on it.
/// </summary>
public sealed class SandboxClock
{
    private readonly Lock _sync = new();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private DateTimeOffset _origin;
    private TimeSpan _skipped;

    public SandboxClock(double speed, DateTimeOffset origin)
    {
        if (speed <= 0 || double.IsNaN(speed) || double.IsInfinity(speed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The clock speed must be a positive number.");
        }

        Speed = speed;
        _origin = Truncate(origin);
    }

    public double Speed { get; }

    public DateTimeOffset Now
    {
        get
        {
            lock (_sync)
            {
                return Truncate(_origin + _skipped + TimeSpan.FromTicks((long)(_elapsed.Elapsed.Ticks * Speed)));
            }
        }
    }

    /// <summary>Jumps forward; the clock never goes back.</summary>
    public DateTimeOffset Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The sandbox clock only moves forward.");
        }

        lock (_sync)
        {
            _skipped += by;
        }

        return Now;
    }

    /// <summary>Continues from a saved time (state file), keeping the speed.</summary>
    internal void ResumeFrom(DateTimeOffset savedNow)
    {
        lock (_sync)
        {
            if (savedNow > Now)
            {
                _origin = Truncate(savedNow);
                _skipped = TimeSpan.Zero;
                _elapsed.Restart();
            }
        }
    }

    // AWS timestamps carry milliseconds at most.
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
