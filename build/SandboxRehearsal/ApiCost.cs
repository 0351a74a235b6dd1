using System.Text.Json;
using Rekey.Sandbox.Core;

namespace Rekey.Build.SandboxRehearsal;

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

    /// <summary>
    /// Every RDS call of the Cutover target (its Preflight included) per step and operation, in the steps' order; empty when
    /// the run's report gave no step times.
    /// </summary>
    public IReadOnlyList<StepCalls> BySteps { get; init; } = [];

    /// <summary>
    /// The calls of each step: a call belongs to the last step that started (by the first Date AWS answered it) no later
    /// than the call's whole second, the Date's own resolution, so a call in a second two steps share may count for the later one.
    /// </summary>
    public static IReadOnlyList<StepCalls> ByStep(IReadOnlyList<CallRecord> cutover, IReadOnlyList<StepWindow> steps)
    {
        ArgumentNullException.ThrowIfNull(cutover);
        ArgumentNullException.ThrowIfNull(steps);
        var ordered = steps.OrderBy(s => s.Started).ToList();
        if (ordered.Count == 0)
        {
            return [];
        }

        var counts = ordered.Select(s => (s.Step, Calls: new Dictionary<string, int>(StringComparer.Ordinal))).ToList();
        foreach (var call in Rds(cutover))
        {
            var second = call.Time.AddTicks(-(call.Time.UtcTicks % TimeSpan.TicksPerSecond));
            var index = Math.Max(0, ordered.FindLastIndex(s => s.Started <= second));
            counts[index].Calls[call.Operation] = counts[index].Calls.GetValueOrDefault(call.Operation) + 1;
        }

        return [.. counts.Where(c => c.Calls.Count > 0).Select(c => new StepCalls(c.Step, c.Calls.Values.Sum(), Sorted(c.Calls)))];
    }

    /// <summary>The steps of a run as its report (<c>&lt;cluster&gt;-cutover-report.json</c>) dates them; none when it has no report.</summary>
    public static IReadOnlyList<StepWindow> StepsOf(string reportPath)
    {
        if (!File.Exists(reportPath))
        {
            return [];
        }

        using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
        if (!report.RootElement.TryGetProperty("steps", out var steps))
        {
            return [];
        }

        return [.. steps.EnumerateArray()
            .Where(s => s.TryGetProperty("startedAt", out var started) && started.ValueKind == JsonValueKind.String)
            .Select(s => new StepWindow(s.GetProperty("step").GetString() ?? "?", s.GetProperty("startedAt").GetDateTimeOffset()))];
    }

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
            .ToDictionary(o => o.Key, o => o.Count, StringComparer.Ordinal);
        return new ApiCost
        {
            Calls = byOperation.Values.Sum(),
            CallsWithPreflight = calls.Count,
            PreflightCalls = preflightByOperation.Values.Sum(),
            ByOperation = Sorted(byOperation),
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

    /// <summary>"DescribeDBClusters 40, DescribeDBInstances 22, ..." for one step.</summary>
    public static string Operations(IReadOnlyDictionary<string, int> byOperation) =>
        string.Join(", ", byOperation.Select(o => FormattableString.Invariant($"{o.Key} {o.Value}")));

    // The most called first; ties by name, so that two runs print alike.
    private static Dictionary<string, int> Sorted(IReadOnlyDictionary<string, int> counts) =>
        counts.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);

    private static List<CallRecord> Rds(IReadOnlyList<CallRecord> calls) =>
        [.. calls.Where(c => string.Equals(c.Service, Service, StringComparison.OrdinalIgnoreCase))];
}

/// <summary>A step of a run and when it started on AWS's clock (the first Date AWS answered it with).</summary>
public sealed record StepWindow(string Step, DateTimeOffset Started);

/// <summary>The RDS calls one step made, per operation.</summary>
public sealed record StepCalls(string Step, int Calls, IReadOnlyDictionary<string, int> ByOperation);
