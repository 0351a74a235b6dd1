using System.Globalization;
using System.Text.Json;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Build.SandboxRehearsal;
using Rekey.SandboxRehearsal;
using Spectre.Console;

namespace Rekey.Build.Tasks;

/// <summary>
/// Runs the rehearsal <c>--runs</c> times, each on a fresh sandbox, and splits each cluster's outage into
/// AWS's own operation times and Rekey's overhead (all in sandbox time), as a table and artifacts/benchmark.json.
/// </summary>
[TaskName("Benchmark")]
[TaskDescription("Runs the rehearsal --runs times (default 3) and splits each outage into AWS's operation times and Rekey's overhead.")]
public sealed class BenchmarkTask(IAnsiConsole console, InProcessBuild build) : AsyncFrostingTask<RekeyContext>
{
    public const string FileName = "benchmark.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public const string FleetFileName = "benchmark-fleet.json";

    public override async Task RunAsync(RekeyContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (context.Settings.Fleet is { } fleet)
        {
            await RunFleetAsync(context, fleet, context.Settings.MaxParallel, cancellationToken);
            return;
        }

        // A rehearsal at its own speed first, not measured: the runs' processes then execute compiled code. At 120x the
        // just-in-time compilation of the cutover's steps, a fraction of a second once per process, reads as tens of
        // seconds of outage in the first run and never again.
        context.Log.Information("Benchmark warm-up: one rehearsal at {0}x, not measured", SampleRehearsal.ClockSpeed);
        await using (var warmUp = await SampleRehearsal.StartAsync(context, cancellationToken))
        {
            SampleRehearsal.ThrowIfWritesLost(await warmUp.CutoverAsync(context, build, cancellationToken, dressRehearsal: false));
        }

        var results = new List<BenchmarkRun>();
        for (var number = 1; number <= context.Settings.Runs; number++)
        {
            context.Log.Information("Benchmark run {0} of {1}", number, context.Settings.Runs);
            await using var rehearsal = await SampleRehearsal.StartAsync(context, cancellationToken, SampleRehearsal.BenchmarkClockSpeed, awsTimePolling: true);
            var audits = await rehearsal.CutoverAsync(context, build, cancellationToken, dressRehearsal: true);
            SampleRehearsal.ThrowIfWritesLost(audits);

            using var rds = rehearsal.Aws.CreateRds(SampleRehearsal.RegionEndpoint);
            foreach (var (sample, audit) in SampleAccount.Clusters.Zip(audits))
            {
                var breakdown = audit.OutageWindow is { } window
                    ? await OutageBreakdown.ReadBlueGreenAsync(rds, sample.Id, window, cancellationToken)
                    : await OutageBreakdown.ReadAsync(rds, rehearsal.Sandbox.Calls, rehearsal.Options.Durations, SampleAccount.Account, sample.Id, context.Settings.OldSuffix, cancellationToken);
                results.Add(BenchmarkRun.Of(number, breakdown, audit.StartToSwitchover) with { Api = rehearsal.ApiCosts.GetValueOrDefault(sample.Id) });
            }
        }

        Show(results);
        foreach (var line in Targets(results))
        {
            context.Log.Information(line);
        }

        Directory.CreateDirectory(context.Settings.ArtifactsDirectory);
        var path = Path.Combine(context.Settings.ArtifactsDirectory, FileName);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, Json), cancellationToken);
        context.Log.Information("Benchmark: {0} run(s) written to {1}", context.Settings.Runs, path);
    }

    private async Task RunFleetAsync(RekeyContext context, int fleet, int maxParallel, CancellationToken cancellationToken)
    {
        var result = await FleetBenchmark.RunAsync(context, fleet, maxParallel, cancellationToken);
        var legs = new Table()
            .Title("Fleet: each cutover's outage against the solo run's (AWS seconds), and its RDS calls")
            .AddColumns("Cluster", "Exit code", "Outage", "Inflation", "RDS calls", "Throttled", "Started", "Ended");
        foreach (var leg in result.Legs)
        {
            legs.AddRow(
                leg.Cluster,
                leg.ExitCode.ToString(CultureInfo.InvariantCulture),
                leg.OutageSeconds is { } outage ? Seconds(outage) : "not measured",
                leg.Inflation is { } inflation ? inflation.ToString("P1", CultureInfo.InvariantCulture) : "-",
                leg.Calls.ToString(CultureInfo.InvariantCulture),
                leg.Throttled.ToString(CultureInfo.InvariantCulture),
                leg.Started.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                leg.Ended.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        }

        console.Write(legs);
        foreach (var line in FleetLines(result))
        {
            context.Log.Information(line);
        }

        Directory.CreateDirectory(context.Settings.ArtifactsDirectory);
        var path = Path.Combine(context.Settings.ArtifactsDirectory, FleetFileName);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json), cancellationToken);
        context.Log.Information("Fleet benchmark written to {0}", path);
        if (result.Failed > 0)
        {
            var logs = Path.Combine(context.Settings.ArtifactsDirectory, "fleet");
            throw new InvalidOperationException($"{result.Failed} of {result.Legs.Count} cutovers of the fleet failed; their output is in {logs}.");
        }
    }

    /// <summary>The fleet's figures and targets: no failed leg, median inflation at most 2 %, peak below RDS's sustained rate.</summary>
    public static IReadOnlyList<string> FleetLines(FleetResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rate = Rekey.Sandbox.Core.ApiRateLimit.Rds;
        var median = result.MedianInflation;
        var peakMet = result.PeakMinutePerSecond < rate.PerSecond ? "met" : "MISSED";
        return
        [
            FormattableString.Invariant(
                $"Fleet: {result.Legs.Count} cutovers, at most {result.MaxParallel} at once, the SDK's retry mode {result.RetryMode}, in {result.WallSecondsAws / 60:0.0} minutes of AWS time ")
            + FormattableString.Invariant(
                $"({result.RealSeconds / 60:0.0} minutes of real time at {result.ClockSpeed:0}x, seeding and the solo run included); solo outage {result.SoloOutageSeconds:0.0} s."),
            FormattableString.Invariant(
                $"Fleet: RDS calls {result.Legs.Sum(l => l.Calls)} ({result.Legs.Sum(l => l.Throttled)} throttled) by the cutovers, ")
            + FormattableString.Invariant(
                $"{result.BackgroundCalls} ({result.BackgroundThrottled} throttled) by the other tools ({result.BackgroundRate:0.#} per second); ")
            + FormattableString.Invariant($"{result.MeanPerSecond:0.00} calls per second on average, ")
            + FormattableString.Invariant($"{result.PeakMinutePerSecond:0.00} in the busiest minute, {result.PeakPerSecond} in the busiest second; ")
            + FormattableString.Invariant($"{result.Retried} calls of the account answered with an error the SDK retries."),
            FormattableString.Invariant($"Target: no failed cutover: {(result.Failed == 0 ? "met" : "MISSED")} ({result.Failed} failed)."),
            median is { } m
                ? FormattableString.Invariant($"Target: median outage inflation over the solo run at most {FleetInflationTarget:P0}: {(m <= FleetInflationTarget ? "met" : "MISSED")} ")
                    + FormattableString.Invariant($"(median {m:P1}, worst {result.MaxInflation ?? 0:P1}).")
                : "Target: median outage inflation over the solo run: not measured (no cutover recorded an outage).",
            FormattableString.Invariant($"Target: peak request rate (the busiest minute) below RDS's sustained {rate.PerSecond:0} per second: {peakMet} ")
            + FormattableString.Invariant($"({result.PeakMinutePerSecond:0.00} per second; {result.PeakPerSecond} in the busiest second, within the burst of {rate.Burst:0})."),
        ];
    }

    public const double FleetInflationTarget = 0.02;

    private void Show(IReadOnlyList<BenchmarkRun> results)
    {
        var table = new Table()
            .Title("Outage split into AWS's operations and Rekey's overhead (sandbox seconds; AWS = their union within the outage)")
            .AddColumns("Run", "Cluster", "Strategy", "Outage", "Rename", "Instance renames", "Restorable", "Restore", "Writer", "Switchover")
            .AddColumns("AWS", "Application", "Rekey", "Rekey/AWS", "Start to switchover", "Switchover seen after");
        foreach (var run in results)
        {
            table.AddRow(
                run.Run.ToString(CultureInfo.InvariantCulture),
                run.Cluster,
                run.Strategy,
                Seconds(run.OutageSeconds),
                Seconds(run.Operations.GetValueOrDefault("Rename and DNS change")),
                Seconds(run.Operations.GetValueOrDefault("Instance renames and DNS change")),
                Seconds(run.Operations.GetValueOrDefault("LatestRestorableTime reaching T1")),
                Seconds(run.Operations.GetValueOrDefault("Restore")),
                Seconds(run.Operations.GetValueOrDefault("Writer instance creation")),
                Seconds(run.Operations.GetValueOrDefault("Switchover")),
                Seconds(run.AwsSeconds),
                Seconds(run.ApplicationSeconds),
                Seconds(run.OverheadSeconds),
                run.OverheadRatio?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-",
                run.StartToSwitchoverSeconds is { } toSwitchover ? Seconds(toSwitchover) : "-",
                run.SwitchoverSeenAfterSeconds is { } seen ? Seconds(seen) : "-");
        }

        console.Write(table);

        var cost = new Table()
            .Title("RDS API cost per cutover, from the sandbox's call record (Preflight's one-time reads left out)")
            .AddColumns("Run", "Cluster", "Strategy", "RDS calls", "With Preflight", "Throttled", "Retried", "Peak calls/s", "By operation");
        foreach (var run in results.Where(r => r.Api is not null))
        {
            var api = run.Api!;
            cost.AddRow(
                run.Run.ToString(CultureInfo.InvariantCulture),
                run.Cluster,
                run.Strategy,
                api.Calls.ToString(CultureInfo.InvariantCulture),
                api.CallsWithPreflight.ToString(CultureInfo.InvariantCulture),
                api.Throttled.ToString(CultureInfo.InvariantCulture),
                api.Retried.ToString(CultureInfo.InvariantCulture),
                api.PeakPerSecond.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(api.Operations()));
        }

        console.Write(cost);
        ShowSteps(results);
    }

    // Where each cutover's calls went, step by step: the waits and the change guard's reads show here.
    private void ShowSteps(IReadOnlyList<BenchmarkRun> results)
    {
        var steps = new Table()
            .Title("RDS calls per step of each cutover (Preflight's included), from the sandbox's call record and the run's report")
            .AddColumns("Run", "Cluster", "Step", "RDS calls", "By operation");
        foreach (var run in results.Where(r => r.Api is not null))
        {
            foreach (var step in run.Api!.BySteps)
            {
                steps.AddRow(
                    run.Run.ToString(CultureInfo.InvariantCulture),
                    run.Cluster,
                    step.Step,
                    step.Calls.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(ApiCost.Operations(step.ByOperation)));
            }
        }

        console.Write(steps);
    }

    private static string Seconds(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The targets the benchmark measures, each with the worst figure of the runs and whether it was met.</summary>
    public static IReadOnlyList<string> Targets(IReadOnlyList<BenchmarkRun> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var lines = new List<string>();
        var blueGreen = results.Where(r => r.Strategy == "blue-green").ToList();
        if (blueGreen.Count > 0)
        {
            var worst = blueGreen.Max(r => r.OutageSeconds);
            var met = worst < BlueGreenOutageTarget ? "met" : "MISSED";
            lines.Add(FormattableString.Invariant($"Target: Blue/Green write outage under {BlueGreenOutageTarget:0} s of AWS time: {met} (longest {worst:0.0} s in {blueGreen.Count} run(s))."));
        }

        foreach (var strategy in results.Select(r => r.Strategy).Distinct(StringComparer.Ordinal))
        {
            var ratios = results.Where(r => r.Strategy == strategy && r.OverheadRatio is not null).Select(r => r.OverheadRatio!.Value).ToList();
            if (ratios.Count > 0)
            {
                var worst = ratios.Max();
                var met = worst <= OverheadRatioTarget ? "met" : "MISSED";
                lines.Add(FormattableString.Invariant(
                    $"Target: Rekey's share of the {strategy} outage at most {OverheadRatioTarget:P0} of AWS's operation time: {met} (at most {worst:P1} in {ratios.Count} run(s))."));
            }
        }

        foreach (var (strategy, target) in new[] { ("restore-swap", RestoreSwapCallTarget), ("blue-green", BlueGreenCallTarget) })
        {
            var costs = results.Where(r => r.Strategy == strategy && r.Api is not null).Select(r => r.Api!).ToList();
            if (costs.Count > 0)
            {
                var most = costs.Max(c => c.Calls);
                var met = most <= target ? "met" : "MISSED";
                var throttled = costs.Sum(c => c.Throttled);
                lines.Add(FormattableString.Invariant(
                    $"Target: at most {target} RDS calls per {strategy} cutover, Preflight's reads left out: {met} (at most {most} in {costs.Count} run(s); {throttled} throttled)."));
            }
        }

        return lines;
    }

    public const double BlueGreenOutageTarget = 60;

    /// <summary>Rekey's share of the outage: at most 1 % of AWS's operation time.</summary>
    public const double OverheadRatioTarget = 0.01;

    public const int RestoreSwapCallTarget = 150;

    public const int BlueGreenCallTarget = 100;
}

/// <summary>One cluster in one benchmark run, as benchmark.json holds it.</summary>
public sealed record BenchmarkRun(
    int Run,
    string Cluster,
    string Strategy,
    DateTimeOffset OutageStart,
    DateTimeOffset OutageEnd,
    double OutageSeconds,
    IReadOnlyDictionary<string, double> Operations,
    double AwsSeconds,
    double ApplicationSeconds,
    double OverheadSeconds,
    double? OverheadRatio,
    double? StartToSwitchoverSeconds,
    double? SwitchoverSeenAfterSeconds = null)
{
    /// <summary>The cutover's RDS API cost; null when not measured.</summary>
    public ApiCost? Api { get; init; }

    public static BenchmarkRun Of(int run, OutageBreakdown breakdown, TimeSpan? startToSwitchover = null)
    {
        ArgumentNullException.ThrowIfNull(breakdown);
        return new BenchmarkRun(
            run,
            breakdown.Cluster,
            breakdown.Strategy,
            breakdown.OutageStart,
            breakdown.OutageEnd,
            breakdown.Outage.TotalSeconds,
            breakdown.Operations.ToDictionary(o => o.Name, o => o.Duration.TotalSeconds, StringComparer.Ordinal),
            breakdown.AwsTime.TotalSeconds,
            breakdown.Application.TotalSeconds,
            breakdown.Overhead.TotalSeconds,
            double.IsNaN(breakdown.OverheadRatio) ? null : breakdown.OverheadRatio,
            startToSwitchover?.TotalSeconds,
            breakdown.SeenAfter?.TotalSeconds);
    }
}
