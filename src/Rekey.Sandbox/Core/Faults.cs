using System.Text.Json.Serialization;

namespace Rekey.Sandbox.Core;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>The next calls answer with the protocol's throttling error.</summary>
    Throttle,

    /// <summary>The next calls answer with the given error code and HTTP status.</summary>
    Fail,

    /// <summary>The next asynchronous operations started by the operation end in a failed state.</summary>
    FailAsync,

    /// <summary>The next asynchronous operations started by the operation never finish.</summary>
    HangAsync,

    /// <summary>DNS changes take this much longer to be seen (sandbox time).</summary>
    SlowDns,

    /// <summary>
    /// The next calls are held for DelaySeconds of sandbox time before they are served, as a request that
    /// AWS applies late (network latency, SDK retries under throttling): its change happens at the end of the delay.
    /// </summary>
    Delay,

    /// <summary>
    /// While set, GetMetricData returns no data points for the metric named in MetricName (every metric
    /// without one), as CloudWatch does for a metric nobody publishes. Not consumed, like SlowDns.
    /// </summary>
    NoMetricData,
}

/// <summary>A fault set through the sandbox API. Operation "*" matches every operation of the service.</summary>
public sealed record FaultRule
{
    public required FaultKind Kind { get; init; }

    public string Service { get; init; } = "*";

    public string Operation { get; init; } = "*";

    /// <summary>How many calls or operations it affects; SlowDns and NoMetricData ignore it.</summary>
    public int Count { get; init; } = 1;

    public string? ErrorCode { get; init; }

    public string? Message { get; init; }

    public int? HttpStatus { get; init; }

    public double? DelaySeconds { get; init; }

    /// <summary>NoMetricData: the CloudWatch metric it hides; null hides every metric.</summary>
    public string? MetricName { get; init; }
}

/// <summary>
/// Faults waiting to happen. Call faults are consumed by the protocol dispatch before the handler
/// runs; asynchronous faults are consumed by the service when it schedules the operation.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _sync = new();
    private readonly List<(FaultRule Rule, int Remaining)> _rules = [];

    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule.Count, "A fault affects at least one call.");
        }

        lock (_sync)
        {
            _rules.Add((rule, rule.Count));
        }
    }

    public IReadOnlyList<FaultRule> Pending()
    {
        lock (_sync)
        {
            return [.. _rules.Select(r => r.Rule with { Count = r.Remaining })];
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _rules.Clear();
        }
    }

    /// <summary>Consumes and returns the call fault (Throttle or Fail) for this call, if any.</summary>
    public FaultRule? TakeCallFault(string service, string operation) =>
        Take(service, operation, static k => k is FaultKind.Throttle or FaultKind.Fail);

    /// <summary>Consumes and returns FailAsync or HangAsync for an asynchronous operation, if any.</summary>
    public FaultKind? TakeAsyncOutcome(string service, string operation) =>
        Take(service, operation, static k => k is FaultKind.FailAsync or FaultKind.HangAsync)?.Kind;

    /// <summary>Consumes a Delay fault for this call, if any, and returns how long (sandbox time) the call is held.</summary>
    public TimeSpan? TakeCallDelay(string service, string operation) =>
        Take(service, operation, static k => k is FaultKind.Delay)?.DelaySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>Extra delay for DNS changes (SlowDns rules are not consumed).</summary>
    public TimeSpan DnsDelay()
    {
        lock (_sync)
        {
            return TimeSpan.FromSeconds(_rules.Where(r => r.Rule.Kind == FaultKind.SlowDns).Sum(r => r.Rule.DelaySeconds ?? 0));
        }
    }

    /// <summary>Whether a NoMetricData rule hides <paramref name="metricName"/> (such rules are not consumed).</summary>
    public bool HidesMetric(string metricName)
    {
        lock (_sync)
        {
            return _rules.Any(r => r.Rule.Kind == FaultKind.NoMetricData && (r.Rule.MetricName is null || string.Equals(r.Rule.MetricName, metricName, StringComparison.Ordinal)));
        }
    }

    private FaultRule? Take(string service, string operation, Func<FaultKind, bool> kind)
    {
        lock (_sync)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (rule, remaining) = _rules[i];
                if (!kind(rule.Kind) || !Matches(rule.Service, service) || !Matches(rule.Operation, operation))
                {
                    continue;
                }

                if (remaining <= 1)
                {
                    _rules.RemoveAt(i);
                }
                else
                {
                    _rules[i] = (rule, remaining - 1);
                }

                return rule;
            }

            return null;
        }
    }

    private static bool Matches(string pattern, string value) =>
        pattern == "*" || string.Equals(pattern, value, StringComparison.OrdinalIgnoreCase);
}
