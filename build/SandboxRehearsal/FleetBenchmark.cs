using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Cake.Core.Diagnostics;
using Rekey.Aws;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.SandboxRehearsal;
using Rekey.Runtime;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;
using Rekey.State;

namespace Rekey.Build.SandboxRehearsal;

/// <summary>One cutover of the fleet, as the fleet benchmark saw it.</summary>
/// <param name="Cluster">The cluster cut over.</param>
/// <param name="ExitCode">Its process's exit code (0: succeeded).</param>
/// <param name="OutageSeconds">Fence to writer available, on AWS's clock; null when the cutover did not get that far.</param>
/// <param name="Inflation">The outage over the solo run's, less one; null without an outage.</param>
/// <param name="Calls">RDS calls its process made (the SDK's attempts, retries included).</param>
/// <param name="Throttled">Of those, answered with Throttling.</param>
/// <param name="Started">When its process started, on AWS's clock.</param>
/// <param name="Ended">When its process ended, on AWS's clock.</param>
public sealed record FleetLeg(
    string Cluster, int ExitCode, double? OutageSeconds, double? Inflation, int Calls, int Throttled, DateTimeOffset Started, DateTimeOffset Ended);

/// <summary>A fleet benchmark's result, as artifacts/benchmark-fleet.json holds it.</summary>
public sealed record FleetResult(
    int Fleet,
    int MaxParallel,
    double ClockSpeed,
    double SoloOutageSeconds,
    IReadOnlyList<FleetLeg> Legs,
    double WallSecondsAws,
    double RealSeconds,
    int PeakPerSecond,
    double PeakMinutePerSecond,
    double MeanPerSecond,
    int BackgroundCalls,
    int BackgroundThrottled)
{
    /// <summary>The other tools' RDS calls per second of AWS time (<c>--background-rate</c>).</summary>
    public double BackgroundRate { get; init; } = 3;

    /// <summary>The SDK's retry mode the legs ran with (<c>--retry-mode</c>).</summary>
    public string RetryMode { get; init; } = "standard";

    /// <summary>The account's calls while the legs ran (theirs and the other tools') answered with an error the SDK retries (throttling, 5xx).</summary>
    public int Retried { get; init; }

    public int Failed => Legs.Count(l => l.ExitCode != ExitCodes.Succeeded);

    public double? MedianInflation => Median([.. Legs.Where(l => l.Inflation is not null).Select(l => l.Inflation!.Value)]);

    public double? MaxInflation => Legs.Where(l => l.Inflation is not null).Select(l => l.Inflation!.Value).DefaultIfEmpty().Max() is var max && Legs.Any(l => l.Inflation is not null) ? max : null;

    private static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>
/// N restore-swap cutovers in one account and Region, each in its own process as the fleet workflow's matrix legs are,
/// at most M at once, against one sandbox under RDS's API rate limit with a steady background load from "other tools";
/// first one cutover alone (the solo run each leg's outage is compared with).
/// </summary>
public static class FleetBenchmark
{
    /// <summary>
    /// Slower than the rehearsal's benchmark clock: up to M processes share the machine's cores, and a request's real
    /// latency multiplied by the clock's speed is outage that AWS would not add (on AWS each leg has a runner of its own).
    /// Two artefacts of 25 legs on two cores pull against each other: looks started late by the busy machine inflate the
    /// outage more at a faster clock (30x: median 2.01 %), and legs whose real start-up spreads less in AWS time keep
    /// their steps in step at a slower one (20x: a busiest minute of 12.4 calls per second). 25x keeps both in bounds.
    /// </summary>
    public const double ClockSpeed = 25;

    private const string Region = SampleRehearsal.Region;
    private const string Account = SampleAccount.Account;

    public static async Task<FleetResult> RunAsync(RekeyContext context, int fleet, int maxParallel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var real = Stopwatch.StartNew();
        var options = SandboxOptions.ForTests(ClockSpeed).WithAwsRateLimits() with { DefaultRegion = Region };
        await using var sandbox = await SandboxServer.StartAsync(options, cancellationToken);
        var clientOptions = new AwsClientOptions
        {
            ServiceUrl = sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(Account, "fleet"),
        };
        var aws = new AwsClientFactory(clientOptions);
        var region = Amazon.RegionEndpoint.GetBySystemName(Region);
        var samples = Enumerable.Range(0, fleet + 1).Select(Sample).ToList();
        context.Log.Information("Fleet benchmark: sandbox on {0}, clock at {1}x; seeding {2} clusters", sandbox.BaseUrl, ClockSpeed, samples.Count);

        // Seeding is not what is measured: no limit while it runs, then AWS's.
        sandbox.Runtime.RateLimits.Set(SandboxOptions.NoRateLimits);
        using (var rds = aws.CreateRds(region))
        {
            await SeedAsync(rds, sandbox, samples, cancellationToken);
        }

        sandbox.Runtime.RateLimits.Set(ApiRateLimiter.Aws);
        var directory = Path.Combine(context.Settings.ArtifactsDirectory, "fleet");
        Directory.CreateDirectory(directory);

        using var stopBackground = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var background = BackgroundLoadAsync(clientOptions, region, sandbox.Clock, samples[0].Id, context.Settings.BackgroundRate, stopBackground.Token);
        try
        {
            var run = await RunLegsAsync(context, sandbox, samples, maxParallel, directory, cancellationToken);
            await stopBackground.CancelAsync();
            await background;

            // The outages are read after the fleet, without a limit: the benchmark's own reads are not the fleet's.
            sandbox.Runtime.RateLimits.Set(SandboxOptions.NoRateLimits);
            using var reader = aws.CreateRds(region);
            return await MeasureAsync(reader, sandbox.Runtime.RateLimits.Callers(), run, context.Settings.RetryMode, context.Settings.BackgroundRate, real.Elapsed, cancellationToken);
        }
        finally
        {
            await stopBackground.CancelAsync();
            await background;
        }
    }

    /// <summary>What the legs did: each leg, the fleet's span on AWS's clock and its RDS calls (the solo run's left out).</summary>
    private sealed record LegsRun(string Solo, IReadOnlyList<FleetLeg> Legs, int Fleet, int MaxParallel, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<CallRecord> Calls);

    /// <summary>The solo run (<paramref name="samples"/>' first), then the others at most <paramref name="maxParallel"/> at once.</summary>
    private static async Task<LegsRun> RunLegsAsync(
        RekeyContext context, SandboxServer sandbox, IReadOnlyList<SampleCluster> samples, int maxParallel, string directory, CancellationToken cancellationToken)
    {
        context.Log.Information("Solo run: {0} alone, with the background load of {1} calls per second", samples[0].Id, context.Settings.BackgroundRate);
        var solo = await RunLegAsync(context, sandbox, samples[0].Id, directory, cancellationToken);
        if (solo.ExitCode != ExitCodes.Succeeded)
        {
            throw new InvalidOperationException($"The solo cutover of {samples[0].Id} exited with {solo.ExitCode}; its output is in {Path.Combine(directory, samples[0].Id + ".log")}.");
        }

        var fleet = samples.Count - 1;
        context.Log.Information("Fleet: {0} cutovers, at most {1} at once, the SDK's retry mode {2}", fleet, maxParallel, context.Settings.RetryMode);
        var fleetStart = sandbox.Clock.Now;
        var callsBefore = sandbox.Calls.Snapshot().Count;
        using var slots = new SemaphoreSlim(maxParallel);
        var legs = await Task.WhenAll(samples.Skip(1).Select(async sample =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                return await RunLegAsync(context, sandbox, sample.Id, directory, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }));
        var fleetCalls = sandbox.Calls.Snapshot().Skip(callsBefore).Where(c => c.Service == ApiCost.Service).ToList();
        return new LegsRun(samples[0].Id, legs, fleet, maxParallel, fleetStart, sandbox.Clock.Now, fleetCalls);
    }

    /// <summary>Each leg's outage against the solo run's and its calls (from the sandbox's count per caller), and the fleet's rates.</summary>
    private static async Task<FleetResult> MeasureAsync(
        IAmazonRDS reader,
        IReadOnlyDictionary<string, (int Calls, int Throttled)> callers,
        LegsRun run,
        RequestRetryMode retryMode,
        double backgroundRate,
        TimeSpan real,
        CancellationToken cancellationToken)
    {
        var soloOutage = await OutageAsync(reader, run.Solo, cancellationToken)
            ?? throw new InvalidOperationException($"The solo cutover of {run.Solo} recorded no outage.");
        var measured = new List<FleetLeg>();
        foreach (var leg in run.Legs)
        {
            var outage = await OutageAsync(reader, leg.Cluster, cancellationToken);
            var (calls, throttled) = callers.GetValueOrDefault(leg.Cluster);
            measured.Add(leg with
            {
                OutageSeconds = outage,
                Inflation = outage is { } seconds ? (seconds / soloOutage) - 1 : null,
                Calls = calls,
                Throttled = throttled,
            });
        }

        var (backgroundCalls, backgroundThrottled) = callers.GetValueOrDefault(BackgroundCaller);
        var wall = (run.End - run.Start).TotalSeconds;
        return new FleetResult(
            run.Fleet,
            run.MaxParallel,
            ClockSpeed,
            soloOutage,
            measured,
            wall,
            real.TotalSeconds,
            ApiCost.PeakPerSecondOf(run.Calls),
            ApiCost.PeakOf(run.Calls, TimeSpan.FromMinutes(1)) / 60.0,
            wall > 0 ? run.Calls.Count / wall : 0,
            backgroundCalls,
            backgroundThrottled)
        {
            RetryMode = retryMode == RequestRetryMode.Adaptive ? "adaptive" : "standard",
            BackgroundRate = backgroundRate,
            Retried = run.Calls.Count(ApiCost.IsRetried),
        };
    }

    /// <summary>The AWS SDK application id the background load's calls carry (AWS_SDK_UA_APP_ID), which the sandbox counts by.</summary>
    public const string BackgroundCaller = "other-tools";

    /// <summary>The MySQL sample (restore-swap) under another name: three instances, a custom endpoint, an IAM role.</summary>
    private static SampleCluster Sample(int number)
    {
        var template = SampleAccount.Clusters.Single(c => c.Engine == "aurora-mysql");
        var id = number == 0 ? "fleet-solo" : string.Create(CultureInfo.InvariantCulture, $"fleet-{number:000}");
        return template with
        {
            Id = id,
            CustomEndpoint = id + "-batch",
            Instances = [.. template.Instances.Select((instance, index) => (Id: $"{id}-{(char)('a' + index)}", instance.InstanceClass, instance.Zone, instance.PromotionTier))],
        };
    }

    /// <summary>Every cluster at once through the RDS API, the sandbox's clock moved on instead of waiting.</summary>
    private static async Task SeedAsync(IAmazonRDS rds, SandboxServer sandbox, IReadOnlyList<SampleCluster> samples, CancellationToken cancellationToken)
    {
        var durations = sandbox.Runtime.Durations;
        await SampleAccount.CreateParameterGroupsAsync(rds, samples[0], cancellationToken);
        foreach (var sample in samples)
        {
            await rds.CreateDBClusterAsync(SampleAccount.ClusterRequest(sample), cancellationToken);
        }

        sandbox.Clock.Advance(durations.ClusterCreate + TimeSpan.FromSeconds(1));

        // The first instance available is the writer: writers first, readers once they are.
        foreach (var sample in samples)
        {
            await rds.CreateDBInstanceAsync(SampleAccount.InstanceRequest(sample, sample.Instances[0]), cancellationToken);
        }

        sandbox.Clock.Advance(durations.InstanceCreate + TimeSpan.FromSeconds(1));
        foreach (var sample in samples)
        {
            foreach (var instance in sample.Instances.Skip(1))
            {
                await rds.CreateDBInstanceAsync(SampleAccount.InstanceRequest(sample, instance), cancellationToken);
            }
        }

        sandbox.Clock.Advance(durations.InstanceCreate + TimeSpan.FromSeconds(1));
        foreach (var sample in samples)
        {
            await SampleAccount.FinishAsync(rds, sample, cancellationToken);
        }

        sandbox.Clock.Advance(durations.Modify + TimeSpan.FromSeconds(1));
    }

    /// <summary>Other tools of the account: DescribeDBClusters at <paramref name="perSecond"/> per second of AWS time, retried by the SDK when throttled.</summary>
    private static async Task BackgroundLoadAsync(
        AwsClientOptions options, Amazon.RegionEndpoint region, SandboxClock clock, string clusterId, double perSecond, CancellationToken cancellationToken)
    {
        using var rds = new AwsClientFactory(options with { ClientAppId = BackgroundCaller }).CreateRds(region);
        var start = clock.Now;
        long made = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var due = (long)((clock.Now - start).TotalSeconds * perSecond);
                for (; made < due && !cancellationToken.IsCancellationRequested; made++)
                {
                    try
                    {
                        await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = clusterId }, cancellationToken);
                    }
                    catch (AmazonServiceException)
                    {
                        // Throttled past the SDK's retries: the call record counts it; other tools carry on.
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The fleet is done.
        }
    }

    /// <summary>One leg: Cutover of <paramref name="clusterId"/> in a process of its own, as a matrix leg of the fleet workflow runs it.</summary>
    private static async Task<FleetLeg> RunLegAsync(RekeyContext context, SandboxServer sandbox, string clusterId, string directory, CancellationToken cancellationToken)
    {
        var defaults = new Waiting.WaitSettings();
        string[] arguments =
        [
            "--target=Cutover",
            $"--cluster={clusterId}",
            $"--region={Region}",
            $"--kms-key=alias/rekey-{clusterId}",
            "--create-key",
            "--strategy=restore-swap",
            $"--confirm={clusterId}",
            $"--dns-server=127.0.0.1:{sandbox.DnsPort.ToString(CultureInfo.InvariantCulture)}",
            "--environment=rehearsal",
            $"--run-id=fleet-{clusterId}",
            $"--poll-interval={RealSeconds(defaults.PollInterval)}",
            $"--max-poll-interval={RealSeconds(defaults.MaxPollInterval)}",
            $"--outage-poll-interval={RealSeconds(defaults.OutagePollInterval)}",
            $"--clock-speed={ClockSpeed.ToString(CultureInfo.InvariantCulture)}",
            $"--retry-mode={(context.Settings.RetryMode == RequestRetryMode.Adaptive ? "adaptive" : "standard")}",
            $"--artifacts={Path.Combine(directory, clusterId)}",
        ];

        // The running build's own entry point: `dotnet Build.dll` or the Build apphost.
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(FleetBenchmark).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = Account;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "fleet";
        start.Environment["AWS_REGION"] = Region;
        start.Environment["AWS_ENDPOINT_URL"] = sandbox.BaseUrl.ToString().TrimEnd('/');
        start.Environment["AWS_SDK_UA_APP_ID"] = clusterId;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";

        var started = sandbox.Clock.Now;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the cutover of {clusterId}.");
        await using (var log = File.CreateText(Path.Combine(directory, clusterId + ".log")))
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await log.WriteAsync(await output);
            await log.WriteAsync(await errors);
        }

        var ended = sandbox.Clock.Now;
        context.Log.Information("{0}: exit code {1} after {2:0} s of AWS time", clusterId, process.ExitCode, (ended - started).TotalSeconds);
        return new FleetLeg(clusterId, process.ExitCode, null, null, 0, 0, started, ended);
    }

    private static string RealSeconds(TimeSpan awsTime) =>
        (awsTime.TotalSeconds / ClockSpeed).ToString("0.####", CultureInfo.InvariantCulture) + "s";

    /// <summary>Fence (rekey:fenced-at on the old cluster) to writer available (rekey:writer-available-at on the new one); null when either is missing.</summary>
    private static async Task<double?> OutageAsync(IAmazonRDS rds, string clusterId, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(rds);
        var old = await reader.FindClusterAsync(clusterId + RekeySettingsDefaults.OldSuffix, cancellationToken);
        var @new = await reader.FindClusterAsync(clusterId, cancellationToken);
        return Time(old, RekeyTags.FencedAt) is { } fenced && Time(@new, RekeyTags.WriterAvailableAt) is { } writer ? (writer - fenced).TotalSeconds : null;

        static DateTimeOffset? Time(DBCluster? cluster, string tag) =>
            cluster?.TagList?.FirstOrDefault(t => t.Key == tag)?.Value is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;
    }

    private static class RekeySettingsDefaults
    {
        public const string OldSuffix = Configuration.RekeySettings.DefaultOldSuffix;
    }
}
