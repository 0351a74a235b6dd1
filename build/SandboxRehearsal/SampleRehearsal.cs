using Amazon.Runtime;
using Cake.Core.Diagnostics;
using Rekey.Aws;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.SNS.Model;
using Rekey.Build.Infrastructure;
using Rekey.SandboxRehearsal;
using Rekey.Runtime;
using Rekey.Sandbox;
using Rekey.Waiting;
using Spectre.Console;

namespace Rekey.Build.SandboxRehearsal;

/// <summary>
/// One rehearsal: a sandbox in this process, the sample account seeded with an application writing the
/// whole time, then Plan, Cutover and Backup for each sample cluster as the workflow runs them, and the
/// audit of the application's writes. The sandbox lives until disposal, so its records can be read afterwards.
/// </summary>
public sealed partial class SampleRehearsal : IAsyncDisposable
{
    public const string Region = "us-east-1";

    /// <summary>Sandbox seconds per real second for Rehearse: AWS's minutes pass in a tenth of a second.</summary>
    public const double ClockSpeed = 600;

    /// <summary>
    /// Sandbox seconds per real second for Benchmark: slow enough that Rekey polls at a real run's default
    /// intervals in AWS time (5 s, backing off to 30 s) and that a request's real latency stays small in AWS time,
    /// so Rekey's share of the outage is not an artefact of the fast clock.
    /// </summary>
    public const double BenchmarkClockSpeed = 120;

    /// <summary>The sandbox organization's management account and the member account that receives backup copies.</summary>
    private const string ManagementAccount = "999999999999";
    private const string BackupAccount = SampleAccount.BackupAccount;

    private readonly SandboxApi _api;
    private readonly string _topicArn;
    private readonly IReadOnlyList<string> _pollArguments;

    private SampleRehearsal(
        SandboxServer sandbox,
        SandboxOptions options,
        IAwsClientFactory aws,
        SandboxApi api,
        string topicArn,
        IReadOnlyDictionary<string, WritingApplication> applications,
        IReadOnlyDictionary<string, PostgresApplication> realApplications,
        IReadOnlyList<string> pollArguments)
    {
        RealApplications = realApplications;
        _pollArguments = pollArguments;
        Sandbox = sandbox;
        Options = options;
        Aws = aws;
        _api = api;
        _topicArn = topicArn;
        Applications = applications;
    }

    public SandboxServer Sandbox { get; }

    /// <summary>The options the sandbox was started with (its durations of AWS operations among them).</summary>
    public SandboxOptions Options { get; }

    public IAwsClientFactory Aws { get; }

    public static Amazon.RegionEndpoint RegionEndpoint => Amazon.RegionEndpoint.GetBySystemName(Region);

    /// <summary>The model's applications, by sample cluster (those not on the real engine).</summary>
    public IReadOnlyDictionary<string, WritingApplication> Applications { get; }

    /// <summary>The applications writing real rows through Npgsql, by sample cluster (Aurora PostgreSQL on the real engine).</summary>
    public IReadOnlyDictionary<string, PostgresApplication> RealApplications { get; }

    /// <summary>Per sample cluster on the real engine, the verdict on its rows (after <see cref="CutoverAsync"/>).</summary>
    public IReadOnlyDictionary<string, RowVerdict> Verdicts => _verdicts;

    private readonly Dictionary<string, RowVerdict> _verdicts = new(StringComparer.Ordinal);

    /// <summary>Per sample cluster, the inserts its application tried.</summary>
    public IReadOnlyDictionary<string, long> Writes =>
        SampleAccount.Clusters.ToDictionary(
            c => c.Id, c => RealApplications.TryGetValue(c.Id, out var real) ? real.Attempts : Applications[c.Id].Attempts, StringComparer.Ordinal);

    /// <summary>Per sample cluster, the RDS API cost of its cutover (after <see cref="CutoverAsync"/>).</summary>
    public IReadOnlyDictionary<string, ApiCost> ApiCosts => _apiCosts;

    private readonly Dictionary<string, ApiCost> _apiCosts = new(StringComparer.Ordinal);

    /// <summary>Starts the sandbox, seeds the sample account and starts each cluster's application.</summary>
    /// <remarks>With <c>awsTimePolling</c> Rekey polls at a real run's default intervals in AWS time (Benchmark); otherwise every 0.05 s (Rehearse).</remarks>
    public static async Task<SampleRehearsal> StartAsync(RekeyContext context, CancellationToken cancellationToken, double clockSpeed = ClockSpeed, bool awsTimePolling = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = SandboxOptions.ForTests(clockSpeed).WithAwsRateLimits() with
        {
            DefaultRegion = Region, ChaosSeed = context.Settings.ChaosSeed, DataPlane = ChooseDataPlane(context),
        };
        var sandbox = await SandboxServer.StartAsync(options, cancellationToken);
        var pollArguments = PollArguments(clockSpeed, awsTimePolling);
        LogSandbox(context, sandbox, options, pollArguments);

        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "rehearsal"),
        });
        var api = SandboxApi.For(sandbox.BaseUrl);
        await SeedSampleAccountAsync(context, aws, api, cancellationToken);

        string topicArn;
        using (var sns = aws.CreateSns(RegionEndpoint))
        {
            topicArn = (await sns.CreateTopicAsync(new CreateTopicRequest { Name = "rekey-rehearsal" }, cancellationToken)).TopicArn!;
        }

        var applications = await StartApplicationsAsync(aws, api, options, cancellationToken);
        var real = await StartRealApplicationsAsync(context, sandbox, aws, options, cancellationToken);
        return new SampleRehearsal(sandbox, options, aws, api, topicArn, applications, real, pollArguments);
    }

    /// <summary>
    /// Seeds the sample account as Rehearse starts from it: its clusters (waiting until each is available), AWS Backup's
    /// service role, the backup account's role, and cross-account backup turned on by the organization's management account.
    /// </summary>
    public static async Task SeedSampleAccountAsync(RekeyContext context, IAwsClientFactory aws, SandboxApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(aws);
        ArgumentNullException.ThrowIfNull(api);
        var wait = new Waiter(WaitSettings.Fast, TimeProvider.System, context.Logger);
        using (var rds = aws.CreateRds(RegionEndpoint))
        {
            context.Log.Information("Seeding the sample account: {0}", string.Join(", ", SampleAccount.Clusters.Select(c => $"{c.Id} ({c.Engine})")));
            await SampleAccount.SeedAsync(rds, wait, cancellationToken);
        }

        // AWS Backup's default service role, and the backup account's role with a trust policy that lets
        // this account assume it, exist only once someone creates them, in the sandbox as in AWS.
        await SampleAccount.SeedBackupServiceRoleAsync(api, cancellationToken);
        await SampleAccount.SeedBackupRoleAsync(api, cancellationToken);

        // Cross-account backup is an organization setting only the management account may turn on, as in AWS.
        using var management = aws.WithCredentials(new BasicAWSCredentials(ManagementAccount, "rehearsal")).CreateBackup(RegionEndpoint);
        await management.UpdateGlobalSettingsAsync(
            new UpdateGlobalSettingsRequest { GlobalSettings = new Dictionary<string, string> { ["isCrossAccountBackupEnabled"] = "true" } },
            cancellationToken);
    }

    /// <summary>The polling arguments each child run gets: a real run's defaults in AWS time (Benchmark) or 0.05 s (Rehearse), and the clock speed.</summary>
    private static string[] PollArguments(double clockSpeed, bool awsTimePolling)
    {
        var defaults = new WaitSettings();
        string[] poll = awsTimePolling
            ?
            [
                $"--poll-interval={RealSeconds(defaults.PollInterval, clockSpeed)}",
                $"--max-poll-interval={RealSeconds(defaults.MaxPollInterval, clockSpeed)}",
                $"--outage-poll-interval={RealSeconds(defaults.OutagePollInterval, clockSpeed)}",
            ]
            : ["--poll-interval=0.05s"];
        return [.. poll, $"--clock-speed={clockSpeed.ToString(System.Globalization.CultureInfo.InvariantCulture)}"];
    }

    private static void LogSandbox(RekeyContext context, SandboxServer sandbox, SandboxOptions options, IReadOnlyList<string> pollArguments)
    {
        // Which data plane holds the rows comes before anything else: the proof means real rows only on the real engine.
        context.Log.Information("Data plane: {0}", DataPlaneLine(options));
        context.Log.Information(
            "Sandbox on {0}, DNS on 127.0.0.1:{1}, clock at {2}x, {3}{4}",
            sandbox.BaseUrl,
            sandbox.DnsPort,
            options.ClockSpeed,
            string.Join(' ', pollArguments),
            options.ChaosSeed is { } seed ? $", unruly mode under chaos seed {seed}" : string.Empty);
    }

    private static async Task<Dictionary<string, WritingApplication>> StartApplicationsAsync(
        IAwsClientFactory aws, SandboxApi api, SandboxOptions options, CancellationToken cancellationToken)
    {
        var applications = new Dictionary<string, WritingApplication>(StringComparer.Ordinal);
        using var rds = aws.CreateRds(RegionEndpoint);
        foreach (var sample in SampleAccount.Clusters.Where(c => !IsReal(options, c)))
        {
            var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = sample.Id }, cancellationToken)).DBClusters![0];
            var application = new WritingApplication(api, sample.Id, cluster.Endpoint!, SampleAccount.Account, Region);
            application.Start();
            applications.Add(sample.Id, application);
        }

        return applications;
    }

    private static string RealSeconds(TimeSpan awsTime, double clockSpeed) =>
        (awsTime.TotalSeconds / clockSpeed).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) + "s";

    /// <summary>Runs Plan, Cutover and Backup for each sample cluster, stops the applications and audits their writes.</summary>
    /// <remarks>
    /// With <paramref name="beforeTheWindow"/> (Rehearse) each cluster first gets what an operator does before the window:
    /// a DressRehearsal whose measured times the Plan then quotes, a Preflight that refuses a Terraform plan written too early
    /// (the new key already in the configuration), and after the cutover a Verify of the Terraform plan written with the new key.
    /// </remarks>
    /// <remarks>
    /// With <paramref name="dressRehearsal"/> (Benchmark) each cluster gets a DressRehearsal first, whose measured times the
    /// cutover's waits then expect. A Preflight run alone before each Cutover measures Preflight's one-time reads, which
    /// <see cref="ApiCosts"/> leaves out of the cutover's cost.
    /// </remarks>
    public async Task<IReadOnlyList<WriteAudit>> CutoverAsync(
        RekeyContext context, InProcessBuild build, CancellationToken cancellationToken, bool beforeTheWindow = false, bool dressRehearsal = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(build);
        try
        {
            foreach (var sample in SampleAccount.Clusters)
            {
                await CutoverOneAsync(context, build, sample, beforeTheWindow, dressRehearsal, cancellationToken);
            }
        }
        finally
        {
            foreach (var application in Applications.Values)
            {
                await application.StopAsync();
            }

            foreach (var application in RealApplications.Values)
            {
                await application.StopAsync();
            }
        }

        var audits = new List<WriteAudit>();
        foreach (var sample in SampleAccount.Clusters)
        {
            audits.Add(RealApplications.TryGetValue(sample.Id, out var real)
                ? await AuditRowsAsync(sample, real, cancellationToken)
                : await AuditAsync(_api, Aws, RegionEndpoint, sample.Id, Applications[sample.Id], cancellationToken));
        }

        LogVerdicts(context);

        return audits;
    }

    /// <summary>The arguments every run of <paramref name="sample"/> takes, as the workflow passes them.</summary>
    private string[] ArgumentsFor(RekeyContext context, SampleCluster sample) =>
    [
        $"--cluster={sample.Id}",
        $"--region={Region}",
        $"--kms-key=alias/rekey-{sample.Id}",
        "--create-key",
        $"--backup-account={BackupAccount}",
        $"--backup-role-arn={SampleAccount.BackupRoleArn}",
        "--backup-vault=rekey-rehearsal",
        $"--dns-server=127.0.0.1:{Sandbox.DnsPort}",
        $"--sns-topic-arn={_topicArn}",
        "--environment=rehearsal",
        $"--run-id=rehearsal-{sample.Id}",
        .. _pollArguments,
        $"--artifacts={context.Settings.ArtifactsDirectory}",
        $"--verbosity={context.Log.Verbosity}",
        .. DatabaseArguments(sample),
    ];

    /// <summary>Every call of the cutover, in order, from the sandbox's call record: where the API cost's figures come from.</summary>
    private static void WriteCutoverCalls(RekeyContext context, string clusterId, IReadOnlyList<Rekey.Sandbox.Core.CallRecord> calls)
    {
        var path = Path.Combine(context.Settings.ArtifactsDirectory, $"{clusterId}-cutover-calls.json");
        var rows = calls.Select(c => new { c.Time, c.Service, c.Operation, c.ErrorCode, c.Principal });
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(rows, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>One sample cluster: (DressRehearsal,) Plan, (the too-early Terraform plan,) Preflight, Cutover, its verification, Backup.</summary>
    private async Task CutoverOneAsync(
        RekeyContext context, InProcessBuild build, SampleCluster sample, bool beforeTheWindow, bool dressRehearsal, CancellationToken cancellationToken)
    {
        var arguments = ArgumentsFor(context, sample);
        if (beforeTheWindow || dressRehearsal)
        {
            await RunChildAsync(context, build, [.. arguments, "--target=DressRehearsal", $"--confirm={sample.Id}"]);
        }

        await RunChildAsync(context, build, [.. arguments, "--target=Plan"]);
        var keys = beforeTheWindow ? await KeysAsync(sample, cancellationToken) : default;
        if (beforeTheWindow)
        {
            var tooEarly = RehearsalTerraformPlans.WriteTooEarly(context.Settings.ArtifactsDirectory, sample.Id, sample.Engine, keys.Current, keys.Target);
            context.Log.Information("A Terraform plan written with the new key in the configuration before the cutover would replace {0}; Preflight must refuse it:", sample.Id);
            await RunChildAsync(context, build, [.. arguments, "--target=Preflight", $"--terraform-plan={tooEarly}"], ExitCodes.RefusedByPreflight);
        }

        var preflightStart = Sandbox.Calls.Snapshot().Count;
        await RunChildAsync(context, build, [.. arguments, "--target=Preflight"]);
        var cutoverStart = Sandbox.Calls.Snapshot().Count;
        var cutover = await RunChildAsync(context, build, [.. arguments, "--target=Cutover", $"--confirm={sample.Id}"], ExitCodes.Succeeded, ExitCodes.VerificationFailed);
        var calls = Sandbox.Calls.Snapshot();
        _apiCosts[sample.Id] = ApiCost.Of([.. calls.Skip(cutoverStart)], [.. calls.Take(cutoverStart).Skip(preflightStart)]) with
        {
            BySteps = ApiCost.ByStep([.. calls.Skip(cutoverStart)], ApiCost.StepsOf(Path.Combine(context.Settings.ArtifactsDirectory, $"{sample.Id}-cutover-report.json"))),
        };
        WriteCutoverCalls(context, sample.Id, [.. calls.Skip(cutoverStart)]);
        var blueGreen = await IsBlueGreenCutoverAsync(sample.Id, cancellationToken);
        if (cutover == ExitCodes.VerificationFailed && !blueGreen)
        {
            throw new InvalidOperationException($"The restore-swap cutover of {sample.Id} failed its verification; its output is above.");
        }

        await VerifyAsync(context, build, sample, arguments, blueGreen, cutover, beforeTheWindow ? keys.Target : null);
        await RunChildAsync(context, build, [.. arguments, "--target=Backup", $"--confirm={sample.Id}"]);
    }

    /// <summary>
    /// After a Blue/Green switchover of Aurora PostgreSQL, VerifyBlueGreen waits for the operator to advance the sequences
    /// (logical replication does not carry them) and say so; the sample's tables hold none. Before the window (Rehearse),
    /// the Terraform plan written after the cutover with the new key is checked too.
    /// </summary>
    private async Task VerifyAsync(
        RekeyContext context, InProcessBuild build, SampleCluster sample, string[] arguments, bool blueGreen, int cutover, string? targetKey)
    {
        string[] sequences = cutover == ExitCodes.VerificationFailed ? ["--sequences-advanced"] : [];
        if (sequences.Length > 0)
        {
            context.Log.Information("The switchover of {0} is done; the operator runs the setval statements the query above prints and confirms it:", sample.Id);
        }

        var verify = blueGreen ? "VerifyBlueGreen" : "Verify";
        if (targetKey is not null)
        {
            var afterCutover = RehearsalTerraformPlans.WriteAfterCutover(context.Settings.ArtifactsDirectory, sample.Id, sample.Engine, targetKey);
            context.Log.Information("The Terraform plan written after the cutover with the new key's ARN in the configuration, checked by {0}:", verify);
            await RunChildAsync(context, build, [.. arguments, $"--target={verify}", "--exclusive", $"--confirm={sample.Id}", $"--terraform-plan={afterCutover}", .. sequences]);
        }
        else if (sequences.Length > 0)
        {
            await RunChildAsync(context, build, [.. arguments, $"--target={verify}", "--exclusive", $"--confirm={sample.Id}", .. sequences]);
        }
    }

    /// <summary>Fails the run when an acknowledged write is missing or one reached the old cluster after T1.</summary>
    public static void ThrowIfWritesLost(IReadOnlyList<WriteAudit> audits)
    {
        var failed = audits.Where(a => !a.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new InvalidOperationException(
                string.Join(Environment.NewLine, failed.Select(a =>
                    $"{a.Cluster} ({a.Strategy}): {a.LostBeforeT1.Count} writes the old cluster acknowledged before the switch (T1 or the switchover) "
                    + $"are missing from the new cluster; {a.OldAfterT1.Count} writes went to the old cluster after it.")));
        }
    }

    public static void Show(IAnsiConsole console, RehearsalProof proof)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(proof);
        var table = new Table()
            .Title("Rehearsal: the application's writes")
            .AddColumns([.. RehearsalProof.Headers]);
        foreach (var row in proof.Clusters)
        {
            var cells = RehearsalProof.Cells(row).Select(Markup.Escape).ToArray();
            cells[10] = row.Passed ? "[green]none lost[/]" : "[red]writes lost[/]";
            table.AddRow(cells);
        }

        console.Write(table);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var application in RealApplications.Values)
        {
            await application.DisposeAsync();
        }

        _api.Dispose();
        await Sandbox.DisposeAsync();
    }

    /// <summary>Runs the build with <paramref name="arguments"/> and returns its exit code, which must be one of <paramref name="expected"/> (success when none is given).</summary>
    private async Task<int> RunChildAsync(RekeyContext context, InProcessBuild build, string[] arguments, params int[] expected)
    {
        context.Log.Information(string.Empty);
        context.Log.Information("./build.sh {0}", string.Join(' ', arguments.Where(a => !a.StartsWith("--verbosity", StringComparison.Ordinal))));
        var exitCode = await build.RunAsync(arguments, Aws, context.CancellationToken);
        int[] accepted = expected.Length == 0 ? [ExitCodes.Succeeded] : expected;
        if (!accepted.Contains(exitCode))
        {
            throw new InvalidOperationException(
                $"The rehearsal's run of {string.Join(' ', arguments)} exited with {exitCode} where {string.Join(" or ", accepted)} was expected; its output is above.");
        }

        if (exitCode == ExitCodes.RefusedByPreflight)
        {
            context.Log.Information("Refused as expected (exit code {0}); nothing was changed.", exitCode);
        }

        return exitCode;
    }

    /// <summary>The key <paramref name="sample"/> is on now and the ARN of the target key PrepareKey created under its alias.</summary>
    private async Task<(string Current, string Target)> KeysAsync(SampleCluster sample, CancellationToken cancellationToken)
    {
        using var rds = Aws.CreateRds(RegionEndpoint);
        using var kms = Aws.CreateKms(RegionEndpoint);
        var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = sample.Id }, cancellationToken)).DBClusters![0];
        var target = await kms.DescribeKeyAsync(new Amazon.KeyManagementService.Model.DescribeKeyRequest { KeyId = $"alias/rekey-{sample.Id}" }, cancellationToken);
        // An AWS owned key has no ARN: Terraform's kms_key_id of such a cluster is empty.
        return (cluster.KmsKeyId ?? string.Empty, target.KeyMetadata.Arn);
    }

    private async Task<bool> IsBlueGreenCutoverAsync(string clusterId, CancellationToken cancellationToken)
    {
        using var rds = Aws.CreateRds(RegionEndpoint);
        var oldBlue = await new Clusters.ClusterReader(rds).FindClusterAsync(Strategies.BlueGreenDeployments.OldBlueId(clusterId), cancellationToken);
        return Strategies.BlueGreenDeployments.IsBlueOf(oldBlue, clusterId);
    }

    private static async Task<WriteAudit> AuditAsync(
        SandboxApi api, IAwsClientFactory aws, Amazon.RegionEndpoint region, string clusterId, WritingApplication application, CancellationToken cancellationToken)
    {
        using var rds = aws.CreateRds(region);
        var reader = new Clusters.ClusterReader(rds);

        // A Blue/Green cutover leaves the old blue as <id>-old1, carrying Rekey's tags; restore-swap leaves <id>-old.
        var oldBlue = await reader.FindClusterAsync(Strategies.BlueGreenDeployments.OldBlueId(clusterId), cancellationToken);
        var blueGreen = Strategies.BlueGreenDeployments.IsBlueOf(oldBlue, clusterId);
        var old = blueGreen ? oldBlue! : await reader.GetClusterAsync(clusterId + "-old", cancellationToken);
        var @new = await reader.GetClusterAsync(clusterId, cancellationToken);
        var sandboxClusters = await api.ClustersAsync(cancellationToken);
        var oldResource = sandboxClusters.First(c => c.Identifier == old.DBClusterIdentifier).ResourceId;
        var newWrites = await api.ClusterWritesAsync(SampleAccount.Account, region.SystemName, clusterId, cancellationToken);

        if (blueGreen)
        {
            // Every write blue acknowledged before the switchover completed must have reached green; none after it may land on blue.
            var switched = Time(old, Strategies.BlueGreenDeployments.SwitchedAtTag)
                ?? throw new InvalidOperationException($"{old.DBClusterIdentifier} has no {Strategies.BlueGreenDeployments.SwitchedAtTag} tag; the switchover did not complete.");
            var started = Time(old, Strategies.BlueGreenDeployments.SwitchoverStartedTag);
            var created = Time(old, Strategies.BlueGreenDeployments.CreatedAtTag);
            var gap = WriteAudit.LongestGap(application.Acknowledged, started, switched);
            return WriteAudit.Of(clusterId, application.Acknowledged, oldResource, switched, newWrites) with
            {
                Strategy = Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.BlueGreen),
                Outage = gap is { } window ? window.End - window.Start : null,
                OutageWindow = gap,
                StartToSwitchover = switched - created,
            };
        }

        var t1 = Time(old, State.RekeyTags.T1) ?? throw new InvalidOperationException($"{old.DBClusterIdentifier} has no {State.RekeyTags.T1} tag; Fence did not finish.");
        var outage = Time(@new, State.RekeyTags.WriterAvailableAt) - Time(old, State.RekeyTags.FencedAt);
        return WriteAudit.Of(clusterId, application.Acknowledged, oldResource, t1, newWrites) with
        {
            Strategy = Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.RestoreSwap),
            Outage = outage,
        };

        static DateTimeOffset? Time(DBCluster cluster, string tag) =>
            cluster.TagList?.FirstOrDefault(t => t.Key == tag)?.Value is { } text
                ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
                : null;
    }

}
