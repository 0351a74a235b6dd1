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

    public WaitSettings Settings => settings;

    /// <summary>How long the awaited AWS operation is expected to take from the start of the wait; null when unknown.</summary>
    public TimeSpan? Expected => _expected;

    /// <summary>
    /// This waiter, shaped by how long AWS is expected to take (a dress rehearsal's measurement, else AWS's typical
    /// figure, see <see cref="ExpectedDurations"/>): sparse early, each pause three quarters of the time left, every
    /// <see cref="WaitSettings.PollInterval"/> from shortly before the expected end, and past it pauses of
    /// <see cref="WaitSettings.OverduePollShare"/> of the time waited. Most of a twenty-minute restore then costs a
    /// dozen calls instead of hundreds, and the wait still ends about as soon after AWS finished.
    /// </summary>
    /// <param name="expected">From the start of the wait, in AWS time; zero or less (or null) leaves the usual backoff.</param>
    /// <param name="source">Where the expected duration comes from ("measured by the dress rehearsal"), for the progress lines.</param>
    public Waiter Expecting(TimeSpan? expected, string? source = null) =>
        new(settings, time, logger)
        {
            _expected = expected is { } value && value > TimeSpan.Zero ? value / settings.ClockSpeed : null,
            _expectedSource = source,
            _awsNow = _awsNow,
            _heartbeat = _heartbeat,
        };

    /// <summary>
    /// This waiter, saying its ETA and deadline as times on AWS's clock: <paramref name="awsNow"/> gives AWS's latest known
    /// time (the Date of its last answer, which each look refreshes); without it they are said as durations from now.
    /// </summary>
    public Waiter WithAwsClock(Func<DateTimeOffset?> awsNow) =>
        new(settings, time, logger) { _expected = _expected, _expectedSource = _expectedSource, _awsNow = awsNow, _heartbeat = _heartbeat };

    /// <summary>
    /// This waiter, telling <paramref name="beat"/> (the SNS topic) the progress line once every <paramref name="every"/> of
    /// AWS time while a wait lasts longer than that, so that subscribers hear of a long wait before it ends.
    /// </summary>
    public Waiter WithHeartbeat(TimeSpan every, Func<string, CancellationToken, Task> beat) =>
        new(settings, time, logger) { _expected = _expected, _expectedSource = _expectedSource, _awsNow = _awsNow, _heartbeat = (every, beat) };

    /// <summary>The pause after a look <paramref name="elapsed"/> into the wait; null for the usual exponential backoff.</summary>
    public TimeSpan? PauseAfter(TimeSpan elapsed)
    {
        if (_expected is not { } expected)
        {
            return null;
        }

        var dense = settings.PollInterval;
        var sparse = settings.MaxSparsePollInterval > dense ? settings.MaxSparsePollInterval : dense;
        var lead = expected * settings.DenseBeforeExpectedEnd;
        var denseFrom = expected - (lead > 2 * dense ? lead : 2 * dense);
        if (elapsed < denseFrom)
        {
            // Three quarters of the time left: a few looks bring the wait to the dense phase, each still short of it.
            return Clamp((denseFrom - elapsed) * 0.75, dense, sparse);
        }

        return elapsed <= expected ? dense : Clamp(elapsed * settings.OverduePollShare, dense, sparse);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;

    /// <summary>
    /// The waits inside a write outage look every <see cref="WaitSettings.PollInterval"/> without backing off:
    /// each second between AWS finishing and Rekey noticing is a second more of outage (one describe call every
    /// 5 s is far inside RDS's API rate limits).
    /// </summary>
    public Waiter DuringOutage => new(settings with { PollInterval = settings.OutagePollInterval, MaxPollInterval = settings.OutagePollInterval }, time, logger)
    {
        _expected = _expected,
        _expectedSource = _expectedSource,
        _awsNow = _awsNow,
        _heartbeat = _heartbeat,
    };

    public async Task<T> UntilAsync<T>(string what, TimeSpan deadline, Func<CancellationToken, Task<Probe<T>>> probe, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var lastStatus = string.Empty;
        var lastReport = started;
        var lastBeat = started;
        var attempts = 0;

        var pipeline = new ResiliencePipelineBuilder<Probe<T>> { TimeProvider = time }
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

        try
        {
            var result = await pipeline.ExecuteAsync(
                async token =>
                {
                    attempts++;
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

                    var now = time.GetTimestamp();
                    if (!seen.Done && (seen.Status != lastStatus || time.GetElapsedTime(lastReport, now) >= settings.ProgressEvery))
                    {
                        logger.LogInformation("Waiting for {What}: {Status} ({Progress})", what, seen.Status, Progress(time.GetElapsedTime(started, now), deadline));
                        lastReport = now;
                    }

                    if (!seen.Done && _heartbeat is { } heartbeat && Aws(time.GetElapsedTime(lastBeat, now)) >= heartbeat.Every)
                    {
                        lastBeat = now;
                        await heartbeat.Beat($"Waiting for {what}: {seen.Status} ({Progress(time.GetElapsedTime(started, now), deadline)})", token).ConfigureAwait(false);
                    }

                    lastStatus = seen.Status;
                    return seen;
                },
                cancellationToken).ConfigureAwait(false);

            logger.LogInformation("{What}: {Status} after {Elapsed}", Capitalize(what), result.Status, Reporting.Durations.Text(Aws(time.GetElapsedTime(started))));
            return result.Value;
        }
        catch (TimeoutRejectedException exception)
        {
            throw new WaitTimeoutException(
                $"Gave up waiting for {what} after {Reporting.Durations.Text(Aws(deadline))} ({attempts} looks); last seen: {lastStatus}. " +
                "Nothing was undone: run the same target again to keep waiting, or Rollback.",
                exception);
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
