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
    private bool _wholeSeconds;
    private int _atRealSpeed;

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

    /// <summary>
    /// Whether the clock reads whole seconds, as the HTTP Date header does on AWS (the unruly mode): two readings in
    /// one second are then equal, and so are the timestamps derived from them.
    /// </summary>
    public bool WholeSeconds
    {
        get => Volatile.Read(ref _wholeSeconds);
        set => Volatile.Write(ref _wholeSeconds, value);
    }

    public DateTimeOffset Now
    {
        get
        {
            lock (_sync)
            {
                var now = Truncate(_origin + _skipped + Ran());
                return WholeSeconds ? new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero) : now;
            }
        }
    }

    /// <summary>
    /// Runs the clock at real speed (1x) until the returned handle is disposed, while the sandbox waits on the real work of
    /// a real engine under its runtime lock (a PostgreSQL server stopping writes for a switchover, opening after it): that work takes
    /// its real time on AWS too, whereas at 120x each 100 ms of it would read as 12 s of AWS time. Scopes nest; a paused
    /// clock stays paused.
    /// </summary>
    public IDisposable AtRealSpeed()
    {
        lock (_sync)
        {
            Fold();
            _atRealSpeed++;
        }

        return new RealSpeed(this);
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

    /// <summary>
    /// Stops the clock: it reads the same time until <see cref="Resume"/>, and only <see cref="Advance"/> moves it. A test
    /// that must hold AWS in a state (a switchover in progress) pauses the clock instead of racing the real one.
    /// </summary>
    public DateTimeOffset Pause()
    {
        lock (_sync)
        {
            _skipped += Ran();
            _elapsed.Reset();
        }

        return Now;
    }

    /// <summary>Lets a paused clock run again at its speed, from where it stood.</summary>
    public DateTimeOffset Resume()
    {
        lock (_sync)
        {
            _elapsed.Start();
        }

        return Now;
    }

    public bool IsPaused
    {
        get
        {
            lock (_sync)
            {
                return !_elapsed.IsRunning;
            }
        }
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

    // The time run since the stopwatch last started, at the speed of the moment (under _sync).
    private TimeSpan Ran() => TimeSpan.FromTicks((long)(_elapsed.Elapsed.Ticks * (_atRealSpeed > 0 ? 1 : Speed)));

    // Keeps the time run so far before the speed changes (under _sync).
    private void Fold()
    {
        _skipped += Ran();
        if (_elapsed.IsRunning)
        {
            _elapsed.Restart();
        }
        else
        {
            _elapsed.Reset();
        }
    }

    private void LeaveRealSpeed()
    {
        lock (_sync)
        {
            Fold();
            _atRealSpeed--;
        }
    }

    private sealed class RealSpeed(SandboxClock clock) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                clock.LeaveRealSpeed();
            }
        }
    }

    // AWS timestamps carry milliseconds at most.
    private static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
