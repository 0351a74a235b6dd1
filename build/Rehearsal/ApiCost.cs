using Rekey.Sandbox.Core;

namespace Rekey.Build.Rehearsal;

/// <summary>
/// What one cutover cost in RDS API calls, from the sandbox's call record: every RDS call the account's callers made
/// while the Cutover target ran, less what a Preflight run alone made just before it (Preflight's one-time reads).
/// </summary>
public sealed record ApiCost
{
    /// <summary>The call record's service name for RDS: the one API AWS rate limits per account and Region.</summary>
    public const string Service = "rds";

    /// <summary>RDS calls of the cutover, Preflight's reads left out.</summary>
    public required int Calls { get; init; }

    /// <summary>Every RDS call made while the Cutover target ran, its Preflight included.</summary>
    public required int CallsWithPreflight { get; init; }

    /// <summary>RDS calls of a Preflight run alone.</summary>
    public required int PreflightCalls { get; init; }

    /// <summary>Calls per operation, Preflight's left out.</summary>
    public required IReadOnlyDictionary<string, int> ByOperation { get; init; }

    /// <summary>Calls answered with Throttling ("Rate exceeded").</summary>
    public required int Throttled { get; init; }

    /// <summary>Calls answered with an error the SDK retries (throttling, 5xx): each was followed by a retry.</summary>
    public required int Retried { get; init; }

    /// <summary>The most RDS calls in any one second of AWS's clock while the cutover ran.</summary>
    public required int PeakPerSecond { get; init; }

    /// <summary>The cost of one cutover: <paramref name="cutover"/> as the Cutover target made them, <paramref name="preflight"/> of a Preflight run alone.</summary>
    public static ApiCost Of(IReadOnlyList<CallRecord> cutover, IReadOnlyList<CallRecord> preflight)
    {
        ArgumentNullException.ThrowIfNull(cutover);
        ArgumentNullException.ThrowIfNull(preflight);
        var calls = Rds(cutover);
        var preflightByOperation = Rds(preflight).GroupBy(c => c.Operation, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var byOperation = calls
            .GroupBy(c => c.Operation, StringComparer.Ordinal)
            .Select(g => (g.Key, Count: Math.Max(0, g.Count() - preflightByOperation.GetValueOrDefault(g.Key))))
            .Where(o => o.Count > 0)
            .OrderByDescending(o => o.Count)
            .ThenBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(o => o.Key, o => o.Count, StringComparer.Ordinal);
        return new ApiCost
        {
            Calls = byOperation.Values.Sum(),
            CallsWithPreflight = calls.Count,
            PreflightCalls = preflightByOperation.Values.Sum(),
            ByOperation = byOperation,
            Throttled = calls.Count(IsThrottled),
            Retried = calls.Count(IsRetried),
            PeakPerSecond = PeakPerSecondOf(calls),
        };
    }

    /// <summary>The most calls in any window of one second (sliding, on the calls' own timestamps).</summary>
    public static int PeakPerSecondOf(IReadOnlyList<CallRecord> calls) => PeakOf(calls, TimeSpan.FromSeconds(1));

    /// <summary>The most calls in any window of <paramref name="window"/> (sliding, on the calls' own timestamps).</summary>
    public static int PeakOf(IReadOnlyList<CallRecord> calls, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var times = calls.Select(c => c.Time).Order().ToList();
        var peak = 0;
        var first = 0;
        for (var last = 0; last < times.Count; last++)
        {
            while (times[last] - times[first] >= window)
            {
                first++;
            }

            peak = Math.Max(peak, last - first + 1);
        }

        return peak;
    }

    public static bool IsThrottled(CallRecord call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.ErrorCode is "Throttling" or "ThrottlingException";
    }

    /// <summary>Errors AWS's SDKs retry: throttling and the service's own failures.</summary>
    public static bool IsRetried(CallRecord call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return IsThrottled(call) || call.ErrorCode is "InternalFailure" or "ServiceUnavailable" or "InternalError";
    }

    /// <summary>"DescribeDBClusters 40, DescribeDBInstances 22, ..." (the most called first).</summary>
    public string Operations(int top = int.MaxValue) =>
        string.Join(", ", ByOperation.Take(top).Select(o => FormattableString.Invariant($"{o.Key} {o.Value}")));

    private static List<CallRecord> Rds(IReadOnlyList<CallRecord> calls) =>
        [.. calls.Where(c => string.Equals(c.Service, Service, StringComparison.OrdinalIgnoreCase))];
}
