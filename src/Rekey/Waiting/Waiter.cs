using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Rekey.Waiting;

/// <summary>What one look at AWS saw while waiting.</summary>
/// <param name="Done">The awaited condition holds.</param>
/// <param name="Value">What the caller gets back once done.</param>
/// <param name="Status">What was seen, for the progress log and the timeout message.</param>
public readonly record struct Probe<T>(bool Done, T Value, string Status)
{
    public static Probe<T> Ready(T value, string status) => new(true, value, status);

    public static Probe<T> NotYet(T value, string status) => new(false, value, status);
}

/// <summary>
/// Polls AWS until a condition holds, with growing pauses and a deadline, on an injected clock,
/// and says what it waits for while it waits.
/// </summary>
public sealed class Waiter(WaitSettings settings, TimeProvider time, ILogger logger)
{
    private TimeSpan? _expected;
    private string? _expectedSource;
    private Func<DateTimeOffset?>? _awsNow;
    private (TimeSpan Every, Func<string, CancellationToken, Task> Beat)? _heartbeat;
    private bool _outage;

    public WaitSettings Settings => settings;

    private TimeProvider Clock => time;

    private ILogger Log => logger;

    /// <summary>How long the awaited AWS operation is expected to take from the start of the wait; null when unknown.</summary>
    public TimeSpan? Expected => _expected;

    /// <summary>
    /// This waiter, shaped by how long AWS is expected to take (a dress rehearsal's measurement, else AWS's typical
    /// figure, see <see cref="ExpectedDurations"/>): sparse early (<see cref="PauseAfter"/>), dense from shortly before the
    /// expected end, and past it pauses of <see cref="WaitSettings.OverduePollShare"/> of the time waited. A twenty-minute
    /// restore then costs about a dozen calls instead of hundreds, and the wait still ends about as soon after AWS finished.
    /// </summary>
    /// <param name="expected">From the start of the wait, in AWS time; zero or less (or null) leaves the usual backoff.</param>
    /// <param name="source">Where the expected duration comes from ("measured by the dress rehearsal"), for the progress lines.</param>
    public Waiter Expecting(TimeSpan? expected, string? source = null)
    {
        var copy = With(settings);
        copy._expected = expected is { } value && value > TimeSpan.Zero ? value / settings.ClockSpeed : null;
        copy._expectedSource = source;
        return copy;
    }

    /// <summary>
    /// This waiter, saying its ETA and deadline as times on AWS's clock: <paramref name="awsNow"/> gives AWS's latest known
    /// time (the Date of its last answer, which each look refreshes); without it they are said as durations from now.
    /// </summary>
    public Waiter WithAwsClock(Func<DateTimeOffset?> awsNow)
    {
        var copy = With(settings);
        copy._awsNow = awsNow;
        return copy;
    }

    /// <summary>
    /// This waiter, telling <paramref name="beat"/> (the SNS topic) the progress line once every <paramref name="every"/> of
    /// AWS time while a wait lasts longer than that, so that subscribers hear of a long wait before it ends.
    /// </summary>
    public Waiter WithHeartbeat(TimeSpan every, Func<string, CancellationToken, Task> beat)
    {
        var copy = With(settings);
        copy._heartbeat = (every, beat);
        return copy;
    }

    /// <summary>
    /// The pause after a look <paramref name="elapsed"/> into a wait that expects its end (<see cref="Expecting"/>); null for
    /// the usual exponential backoff. Before the dense phase each pause is three quarters of the time left before it, but no
    /// shorter than the dense phase is long (so the look that reaches it lands inside it instead of creeping up on it) and
    /// no longer than <see cref="WaitSettings.MaxSparsePollInterval"/>; the dense phase, the last
    /// <see cref="WaitSettings.DenseBeforeExpectedEnd"/> of the expected duration, looks every <see cref="DenseInterval"/>; past
    /// the expected end, in the outage, the pauses grow by <see cref="WaitSettings.OverduePauseGrowth"/> of the time overdue.
    /// </summary>
    public TimeSpan? PauseAfter(TimeSpan elapsed)
    {
        if (_expected is not { } expected)
        {
            return null;
        }

        var dense = DenseInterval(expected);
        // Outside the outage a long wait may pause longer, but at most twice the longest sparse pause the poll settings allow,
        // so --poll-interval and --max-poll-interval still bound every pause.
        var quietSparse = Max(settings.MaxSparsePollInterval, Min(expected * settings.QuietSparseShare, 2 * settings.MaxSparsePollInterval));
        var sparse = Max(_outage ? settings.MaxSparsePollInterval : quietSparse, dense);
        var lead = Max(expected * settings.DenseBeforeExpectedEnd, 2 * dense);
        var denseFrom = expected - lead;
        if (elapsed < denseFrom)
        {
            return Clamp(Max((denseFrom - elapsed) * 0.75, lead), dense, sparse);
        }

        if (elapsed <= expected)
        {
            return dense;
        }

        if (!_outage)
        {
            return Clamp(elapsed * settings.QuietOverduePollShare, dense, sparse);
        }

        // In the outage the pauses past the expected end grow from the dense one in step with the time overdue, up to their
        // share of the time waited: an operation that ends a little late is seen about as soon as one on time, instead of
        // one long pause later. Outside it a late look delays only the next step, so the pause jumps to its share at once.
        var growing = Max(dense, (elapsed - expected) * settings.OverduePauseGrowth);
        return Clamp(Min(elapsed * settings.OverduePollShare, growing), dense, sparse);
    }

    /// <summary>
    /// The pause of a wait's dense phase: <see cref="WaitSettings.PollInterval"/> (during the outage the outage's interval); outside
    /// the outage at least <see cref="WaitSettings.QuietDenseShare"/> of the expected duration, since there a look that comes a
    /// little late delays only what follows, not the applications' writes. For the same reason a wait outside the outage
    /// pauses up to <see cref="WaitSettings.QuietSparseShare"/> of the expected duration early on, and past the expected end
    /// <see cref="WaitSettings.QuietOverduePollShare"/> of the time waited.
    /// </summary>
    public TimeSpan DenseInterval(TimeSpan expected) =>
        _outage ? settings.PollInterval : Max(settings.PollInterval, Min(expected * settings.QuietDenseShare, settings.MaxPollInterval));

    private static TimeSpan Max(TimeSpan one, TimeSpan other) => one > other ? one : other;

    private static TimeSpan Min(TimeSpan one, TimeSpan other) => one < other ? one : other;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;

    /// <summary>
    /// The waits inside a write outage look every <see cref="WaitSettings.OutagePollInterval"/> without backing off:
    /// each second between AWS finishing and Rekey noticing is a second more of outage (one describe call every
    /// 2 s is far inside RDS's API rate limits).
    /// </summary>
    public Waiter DuringOutage
    {
        get
        {
            var copy = With(settings with { PollInterval = settings.OutagePollInterval, MaxPollInterval = settings.OutagePollInterval });
            copy._outage = true;
            return copy;
        }
    }

    // A waiter like this one on other settings.
    private Waiter With(WaitSettings other) =>
        new(other, time, logger) { _expected = _expected, _expectedSource = _expectedSource, _awsNow = _awsNow, _heartbeat = _heartbeat, _outage = _outage };

    public async Task<T> UntilAsync<T>(string what, TimeSpan deadline, Func<CancellationToken, Task<Probe<T>>> probe, CancellationToken cancellationToken)
    {
        var watch = new Watch<T>(this, what, deadline, time.GetTimestamp());
        try
        {
            var result = await Pipeline<T>(deadline, watch.Started)
                .ExecuteAsync(token => watch.LookAsync(probe, token), cancellationToken)
                .ConfigureAwait(false);
            logger.LogInformation("{What}: {Status} after {Elapsed}", Capitalize(what), result.Status, Reporting.Durations.Text(Aws(time.GetElapsedTime(watch.Started))));
            return result.Value;
        }
        catch (TimeoutRejectedException exception)
        {
            throw new WaitTimeoutException(
                $"Gave up waiting for {what} after {Reporting.Durations.Text(Aws(deadline))} ({watch.Attempts} looks); last seen: {watch.LastStatus}. " +
                "Nothing was undone: run the same target again to keep waiting, or Rollback.",
                exception);
        }
    }

    /// <summary>The deadline around the looks, and a pause after each look that saw the condition not yet hold.</summary>
    private ResiliencePipeline<Probe<T>> Pipeline<T>(TimeSpan deadline, long started) =>
        new ResiliencePipelineBuilder<Probe<T>> { TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = deadline })
            .AddRetry(new RetryStrategyOptions<Probe<T>>
            {
                // Probe is a struct: a probe that threw has a default Result (Done false), so test for the exception first,
                // or a terminal failure the probe reports (a restore that ended failed) would be polled until the deadline.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && !args.Outcome.Result.Done),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = settings.PollInterval,
                MaxDelay = settings.MaxPollInterval,
                DelayGenerator = _ => ValueTask.FromResult(PauseAfter(time.GetElapsedTime(started))),
            })
            .Build();

    /// <summary>One wait's looks: what each saw, the progress lines and heartbeats it owes, and how many there were.</summary>
    private sealed class Watch<T>(Waiter waiter, string what, TimeSpan deadline, long started)
    {
        private long _lastReport = started;
        private long _lastBeat = started;

        public long Started { get; } = started;

        public int Attempts { get; private set; }

        public string LastStatus { get; private set; } = string.Empty;

        public async ValueTask<Probe<T>> LookAsync(Func<CancellationToken, Task<Probe<T>>> probe, CancellationToken token)
        {
            Attempts++;
            Probe<T> seen;
            try
            {
                seen = await probe(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                // Some clients turn a cancelled call into an error of their own (DnsClient: "timed out"); the deadline
                // or the run's cancellation is still what ended it, and Polly must see it as such.
                token.ThrowIfCancellationRequested();
                throw;
            }

            if (!seen.Done)
            {
                await ReportAsync(seen.Status, token).ConfigureAwait(false);
            }

            LastStatus = seen.Status;
            return seen;
        }

        // A progress line when what is seen changed or the last line is old; a heartbeat when the last one is.
        private async Task ReportAsync(string status, CancellationToken token)
        {
            var time = waiter.Clock;
            var now = time.GetTimestamp();
            if (status != LastStatus || time.GetElapsedTime(_lastReport, now) >= waiter.Settings.ProgressEvery)
            {
                waiter.Log.LogInformation("Waiting for {What}: {Status} ({Progress})", what, status, waiter.Progress(time.GetElapsedTime(Started, now), deadline));
                _lastReport = now;
            }

            if (waiter._heartbeat is { } heartbeat && waiter.Aws(time.GetElapsedTime(_lastBeat, now)) >= heartbeat.Every)
            {
                _lastBeat = now;
                await heartbeat.Beat($"Waiting for {what}: {status} ({waiter.Progress(time.GetElapsedTime(Started, now), deadline)})", token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// "4 minutes so far; 19% of the expected 21 minutes, 54 seconds (measured by the dress rehearsal); ETA 2026-11-28T10:43:12Z
    /// on AWS's clock; gives up at 2026-11-28T14:20:00Z on AWS's clock": elapsed, and with an expected duration the share
    /// done and the expected end (or how far past it), then the deadline.
    /// </summary>
    public string Progress(TimeSpan elapsed, TimeSpan deadline)
    {
        var parts = new List<string> { $"{Reporting.Durations.Text(Aws(elapsed))} so far" };
        if (_expected is { } expected)
        {
            var percent = (int)Math.Round(100 * elapsed.TotalSeconds / expected.TotalSeconds);
            var source = _expectedSource is null ? string.Empty : $" ({_expectedSource})";
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{percent}% of the expected {Reporting.Durations.Text(Aws(expected))}{source}"));
            parts.Add(expected > elapsed ? $"ETA {At(expected - elapsed)}" : $"{Reporting.Durations.Text(Aws(elapsed - expected))} past the expected end");
        }

        parts.Add($"gives up {At(deadline - elapsed)}");
        return string.Join("; ", parts);
    }

    // A moment from now: on AWS's clock when it is known, else as a duration.
    private string At(TimeSpan fromNow) =>
        _awsNow?.Invoke() is { } now
            ? $"at {(now + Aws(fromNow)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)} on AWS's clock"
            : $"in {Reporting.Durations.Text(Aws(fromNow))}";

    /// <summary>A span of the waiter's clock in AWS time (the sandbox's clock may run faster).</summary>
    private TimeSpan Aws(TimeSpan span) => span * settings.ClockSpeed;

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
