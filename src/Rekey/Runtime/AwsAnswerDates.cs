using Rekey.Aws.Runtime;

namespace Rekey.Runtime;

/// <summary>
/// The HTTP Date of every AWS answer the run's clients get, in order: when the run and each step started and finished on
/// AWS's clock, without a call of its own and never from the runner's clock. A span with no AWS answer has no times.
/// </summary>
public sealed class AwsAnswerDates : IAwsCallObserver
{
    private readonly List<DateTimeOffset> _dates = [];
    private readonly Lock _lock = new();
    private DateTimeOffset? _latest;

    public void Called(AwsCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.ServerDate is { } date)
        {
            lock (_lock)
            {
                _dates.Add(date);
                _latest = _latest is { } seen && seen > date ? seen : date;
            }
        }
    }

    /// <summary>AWS's latest known time: the latest Date of its answers so far; null before the first.</summary>
    public DateTimeOffset? Latest
    {
        get
        {
            lock (_lock)
            {
                return _latest;
            }
        }
    }

    /// <summary>A point in the run, to ask later for the answers since.</summary>
    public int Mark()
    {
        lock (_lock)
        {
            return _dates.Count;
        }
    }

    /// <summary>The first and the latest AWS Date seen since <paramref name="mark"/>; nulls when AWS answered nothing since.</summary>
    public (DateTimeOffset? First, DateTimeOffset? Last) Since(int mark)
    {
        lock (_lock)
        {
            return mark < _dates.Count ? (_dates[mark], _dates.Skip(mark).Max()) : (null, null);
        }
    }
}
