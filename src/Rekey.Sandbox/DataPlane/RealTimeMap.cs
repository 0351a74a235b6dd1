namespace Rekey.Sandbox.DataPlane;

/// <summary>
/// Maps sandbox clock times to the real times the servers stamp their commits with. The sandbox
/// clock runs at a fixed speed except when it is moved forward; the map keeps a sample after each
/// jump, so a sandbox time maps exactly while the clock ran, and to the moment of the jump for
/// times the clock skipped over.
/// </summary>
public sealed class RealTimeMap(double speed)
{
    private readonly Lock _sync = new();
    private readonly List<(DateTimeOffset Sandbox, DateTimeOffset Real)> _samples = [];

    /// <summary>Records where the sandbox clock is now (cheap when it ran at its speed since the last sample).</summary>
    public void Sample(DateTimeOffset sandboxNow, DateTimeOffset realNow)
    {
        lock (_sync)
        {
            if (_samples.Count > 0)
            {
                var (sandbox, real) = _samples[^1];
                var predicted = sandbox + ((realNow - real) * speed);
                // Within a millisecond of real time: the clock ran, no jump.
                if (Math.Abs((sandboxNow - predicted).TotalMilliseconds) < Math.Max(2, speed))
                {
                    return;
                }
            }

            _samples.Add((sandboxNow, realNow));
        }
    }

    /// <summary>The real time at which the sandbox clock showed <paramref name="sandboxTime"/>.</summary>
    public DateTimeOffset ToReal(DateTimeOffset sandboxTime)
    {
        lock (_sync)
        {
            if (_samples.Count == 0)
            {
                return DateTimeOffset.UtcNow;
            }

            var index = _samples.FindLastIndex(s => s.Sandbox <= sandboxTime);
            if (index < 0)
            {
                return _samples[0].Real - ((_samples[0].Sandbox - sandboxTime) / speed);
            }

            var (sandbox, real) = _samples[index];
            var mapped = real + ((sandboxTime - sandbox) / speed);
            return index + 1 < _samples.Count && mapped > _samples[index + 1].Real ? _samples[index + 1].Real : mapped;
        }
    }

    /// <summary>The sandbox time at a real time (the inverse of <see cref="ToReal"/>, for times the servers report).</summary>
    public DateTimeOffset ToSandbox(DateTimeOffset realTime)
    {
        lock (_sync)
        {
            var index = _samples.FindLastIndex(s => s.Real <= realTime);
            if (index < 0)
            {
                return _samples.Count == 0 ? realTime : _samples[0].Sandbox - ((_samples[0].Real - realTime) * speed);
            }

            var (sandbox, real) = _samples[index];
            return sandbox + ((realTime - real) * speed);
        }
    }
}
