using System.Text.Json;
using System.Text.Json.Serialization;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Reporting;
using Rekey.Runtime;

namespace Rekey.Migration;

/// <summary>One setting in the plan: its value now and how the cutover carries it.</summary>
public sealed record PlannedSetting(string Scope, string Name, string? Value, Carriage Carriage);

/// <summary>One name change in the plan.</summary>
public sealed record PlannedRename(string Kind, string Now, string DuringCutover, string After);

/// <summary>What a cutover of one cluster will do, for the operator and the approver to read before it happens.</summary>
public sealed record Plan
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public required string Cluster { get; init; }

    public required string Region { get; init; }

    public required string OldSuffix { get; init; }

    public string? CurrentKey { get; init; }

    public string? TargetKey { get; init; }

    public bool CreatesKey { get; init; }

    public required IReadOnlyList<PlannedRename> Names { get; init; }

    public required IReadOnlyList<string> Steps { get; init; }

    public required IReadOnlyList<PlannedSetting> Settings { get; init; }

    public required IReadOnlyList<string> Outage { get; init; }

    /// <summary>The outage forecast from the latest dress rehearsal of the cluster, or null when none is recorded.</summary>
    public IReadOnlyList<string>? Forecast { get; init; }

    public required IReadOnlyList<string> Rollback { get; init; }

    public IReadOnlyList<string> Blocks { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool NothingToDo { get; init; }

    /// <summary>The strategy Preflight chose (or was told to use), and why.</summary>
    public string? Strategy { get; init; }

    public string? StrategyReason { get; init; }

    /// <summary>Both strategies side by side; the steps, outage and rollback above are restore-swap's.</summary>
    public IReadOnlyList<Strategies.StrategyPlan> Strategies { get; init; } = [];

    /// <summary>The source's StorageEncryptionType: none, sse-rds (an AWS owned key) or sse-kms.</summary>
    public string? SourceEncryptionType { get; init; }

    /// <summary>Every way out, ranked by forecast write outage; a blocked one has its reasons and no forecast.</summary>
    public IReadOnlyList<Strategies.WayOut> WaysOut { get; init; } = [];

    /// <summary>What approving this plan approves; <see cref="Digest"/> is its digest.</summary>
    public PlanDigest? Approval { get; init; }

    /// <summary>The digest a cutover given <c>--approved-plan</c> is held to (<see cref="PlanDigest.Value"/>).</summary>
    public string? Digest => Approval?.Value();

    /// <summary>Each strategy that is not blocked, its steps with their forecast durations, as a Mermaid gantt.</summary>
    public string? ForecastGantt { get; init; }

    public static async Task<Plan> BuildAsync(RekeyRun run, PreflightReport preflight, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var cluster = state.Source ?? state.Target;
        var liveId = cluster?.DBClusterIdentifier ?? run.ClusterId;
        var instances = cluster is null ? [] : await reader.InstancesOfAsync(liveId, cancellationToken).ConfigureAwait(false);
        var customEndpoints = cluster is null ? [] : await reader.CustomEndpointsOfAsync(liveId, cancellationToken).ConfigureAwait(false);

        var names = PlannedNames(run, cluster, instances, customEndpoints);
        var forecast = await ForecastAsync(run, state, preflight, cancellationToken).ConfigureAwait(false);
        var rehearsal = state.AtOriginalName is { } measured ? Rekey.Forecast.DressRehearsalRecord.From(measured) : null;
        var settings = PlannedSettings(run, cluster, instances);
        var strategies = Rekey.Strategies.StrategyComparison.Build(run.ClusterId, preflight, instances.Count, customEndpoints.Count, run.Settings);
        var expected = Waiting.ExpectedDurations.Of(state.AtOriginalName);
        return new Plan
        {
            Approval = DigestOf(run, preflight, strategies, names, settings, expected),
            Cluster = run.ClusterId,
            Region = run.Region.SystemName,
            OldSuffix = run.Settings.OldSuffix,
            CurrentKey = cluster?.KmsKeyId,
            TargetKey = preflight.TargetKeyArn ?? run.Settings.KmsKey?.Value,
            CreatesKey = run.Settings.CreateKey && preflight.TargetKeyArn is null,
            Names = names,
            Steps = RestoreSwapSteps(run, preflight, instances.Count, customEndpoints.Count),
            Settings = settings,
            Forecast = forecast,
            Outage = RestoreSwapOutage(forecast),
            Rollback = RestoreSwapRollback(run),
            Blocks = preflight.Blocks,
            Warnings = preflight.Warnings,
            NothingToDo = preflight.NothingToDo,
            Strategy = Configuration.CutoverStrategies.Name(preflight.Strategy),
            StrategyReason = preflight.StrategyReason,
            Strategies = strategies,
            SourceEncryptionType = preflight.SourceEncryptionType ?? cluster?.TypeOf(),
            WaysOut = preflight.BlueGreen is null ? [] : Rekey.Strategies.WaysOut.Rank(run.ClusterId, preflight, rehearsal, run.Settings),
            ForecastGantt = preflight.NothingToDo ? null : ForecastChart(
                run.ClusterId,
                expected,
                Math.Max(1, instances.Count),
                restoreSwap: preflight.RestoreSwapBlocks.Count == 0,
                blueGreen: preflight.BlueGreen is { Eligible: true }),
        };
    }

    /// <summary>The cluster's, each instance's and each custom endpoint's name now, during the cutover and after.</summary>
    private static List<PlannedRename> PlannedNames(
        RekeyRun run, DBCluster? cluster, IReadOnlyList<DBInstance> instances, IReadOnlyList<DBClusterEndpoint> customEndpoints)
    {
        var names = new List<PlannedRename>
        {
            new("cluster", run.ClusterId, run.OldClusterId, $"{run.ClusterId} (new, restored at T1) and {run.OldClusterId} (old, kept for rollback)"),
        };
        names.AddRange(instances.Select(i => new PlannedRename(
            $"instance ({i.DBInstanceClass}{(i.DBInstanceIdentifier == cluster?.WriterId() ? ", writer" : string.Empty)})",
            OriginalName(run, i.DBInstanceIdentifier!),
            run.OldNameOf(OriginalName(run, i.DBInstanceIdentifier!)),
            $"{OriginalName(run, i.DBInstanceIdentifier!)} (new) and {run.OldNameOf(OriginalName(run, i.DBInstanceIdentifier!))} (old)")));
        names.AddRange(customEndpoints.Select(e => new PlannedRename(
            $"custom endpoint ({e.CustomEndpointType})",
            e.DBClusterEndpointIdentifier!,
            "deleted",
            $"{e.DBClusterEndpointIdentifier} on the new cluster")));
        return names;
    }

    /// <summary>The dress rehearsal's forecast lines; a blocked Blue/Green gets none, as it would read as if it were an option.</summary>
    private static async Task<IReadOnlyList<string>?> ForecastAsync(RekeyRun run, MigrationState state, PreflightReport preflight, CancellationToken cancellationToken)
    {
        var forecast = await Rekey.Forecast.DressRehearsalForecast.LinesAsync(run, state.AtOriginalName, cancellationToken).ConfigureAwait(false);
        if (forecast is not null && preflight.BlueGreen is { Eligible: false })
        {
            return [.. forecast.Select(line => line.StartsWith("Forecast write outage, Blue/Green", StringComparison.Ordinal)
                ? "Blue/Green: blocked (see the ways out below), so no forecast."
                : line)];
        }

        return forecast;
    }

    /// <summary>Every setting of the cluster and its instances, with how the cutover carries it.</summary>
    private static List<PlannedSetting> PlannedSettings(RekeyRun run, DBCluster? cluster, IReadOnlyList<DBInstance> instances)
    {
        var settings = new List<PlannedSetting>();
        if (cluster is not null)
        {
            settings.AddRange(CarriedSettings.Cluster.Select(s => new PlannedSetting("cluster", s.Name, s.Read(cluster), s.Carriage)));
            foreach (var instance in instances)
            {
                var scope = $"instance {OriginalName(run, instance.DBInstanceIdentifier!)}";
                settings.AddRange(CarriedSettings.Instance.Select(s => new PlannedSetting(scope, s.Name, s.Read(instance), s.Carriage)));
            }
        }

        return settings;
    }

    /// <summary>What approving the plan approves, the digest a cutover given --approved-plan is held to.</summary>
    private static PlanDigest DigestOf(
        RekeyRun run,
        PreflightReport preflight,
        IReadOnlyList<Strategies.StrategyPlan> strategies,
        List<PlannedRename> names,
        List<PlannedSetting> settings,
        Waiting.ExpectedDurations expected) => new()
    {
        Cluster = run.ClusterId,
        Region = run.Region.SystemName,
        TargetKey = preflight.TargetKeyArn ?? run.Settings.KmsKey?.Value,
        Strategy = Configuration.CutoverStrategies.Name(preflight.Strategy),
        Steps = strategies.FirstOrDefault(s => s.Chosen)?.Steps ?? [],
        Names = [.. names.Select(n => $"{n.Kind}: {n.Now} -> {n.DuringCutover} -> {n.After}")],
        Settings = [.. settings.Select(s => $"{s.Scope} {s.Name} = {s.Value ?? "unset"} ({s.Carriage})")],
        DressRehearsal = expected.Measured
            ? string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"restorable lag {expected.RestorableLag:c}, restore {expected.Restore:c}, writer {expected.Instance:c}")
            : null,
    };

    private static List<string> RestoreSwapSteps(RekeyRun run, PreflightReport preflight, int instances, int customEndpoints) =>
    [
        "Preflight: read-only checks (this plan's blocks and warnings).",
        run.Settings.CreateKey ? $"PrepareKey: create {run.Settings.KmsKey} if missing (policy, rotation, tags)." : $"PrepareKey: check {run.Settings.KmsKey}.",
        $"Fence: lock; record names in tags; delete {customEndpoints} custom endpoints; rename the cluster and {instances} instances "
            + $"(+ '{run.Settings.OldSuffix}'); wait until no old name resolves; check connections; take T1 from AWS's clock.",
        "Restore: wait until the old cluster's latest restorable time reaches T1; restore it at T1 (full copy) under the original name with the customer managed key.",
        $"CreateInstances: create the {instances} instances under their original names, the writer first; "
            + "the outage ends when the writer answers at the original cluster endpoint.",
        "Finalize: IAM roles, custom endpoints, RDS Proxy targets, settings only ModifyDBCluster takes; release the lock.",
        "Verify: names, DNS, key, settings, instances; no commit on the old cluster after T1.",
        Terraform.TerraformHandOff.Step(run.ClusterId, preflight.TargetKeyArn),
    ];

    private static List<string> RestoreSwapOutage(IReadOnlyList<string>? forecast) =>
    [
        "Writes stop when the cluster is renamed (Fence) and resume when the writer answers at the original endpoint (CreateInstances).",
        .. forecast ??
        [
            "The outage is: rename and DNS (minutes) + waiting for the latest restorable time to pass T1 (about 5 minutes) + the restore (grows with the cluster's size) "
            + "+ creating the writer (about 10 minutes). No dress rehearsal is recorded: run DressRehearsal to measure them.",
        ],
        "Reads stop at the same time: the reader endpoint and the instance endpoints move with their names.",
        "Readers are created in parallel with the writer and do not lengthen the outage; the reader endpoint points to the writer until they are available.",
    ];

    private static List<string> RestoreSwapRollback(RekeyRun run) =>
    [
        $"Until Cleanup, `--target=Rollback --cluster={run.ClusterId} --confirm={run.ClusterId}` deletes the new cluster (after a final snapshot if it took writes) "
            + $"and renames {run.OldClusterId} and its instances back, with their custom endpoints.",
        "Writes made to the new cluster after the cutover are only in that final snapshot after a rollback.",
        $"Cleanup (after --min-age, {run.Settings.MinAge.TotalDays:0.#} days by default 7) takes a final snapshot of {run.OldClusterId} and deletes it; "
            + "after that there is no rollback.",
    ];

    /// <summary>
    /// The forecast of each strategy that is possible, from its start (00:00): restore-swap's rename and DNS, the restorable
    /// lag, the restore and the writer, all in the write outage; Blue/Green's green (no outage) and its switchover.
    /// Durations are the dress rehearsal's when one is recorded, else AWS's typical figures (<see cref="Waiting.ExpectedDurations"/>).
    /// </summary>
    public static string? ForecastChart(string cluster, Waiting.ExpectedDurations expected, int instances, bool restoreSwap, bool blueGreen)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var start = DateTimeOffset.UnixEpoch;
        var sections = new List<GanttSection>();
        if (restoreSwap)
        {
            var rename = Waiting.ExpectedDurations.TypicalRename;
            var steps = new (string Name, TimeSpan Length)[]
            {
                ("Fence, rename and DNS drain to T1", rename + TypicalDnsDrain),
                ("restorable time reaches T1", expected.RestorableLag),
                ("Restore at T1 on the new key", expected.Restore),
                ("CreateInstances, the writer", expected.Instance),
            };
            var at = start;
            var tasks = new List<GanttTask>();
            foreach (var (name, length) in steps)
            {
                tasks.Add(new GanttTask(name, at, length));
                at += length;
            }

            tasks.Add(new GanttTask("write outage", start, at - start, Critical: true));
            sections.Add(new GanttSection(Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.RestoreSwap), tasks));
        }

        if (blueGreen)
        {
            var green = expected.Green(instances);
            var switchover = Rekey.Forecast.DressRehearsalRecord.BlueGreenTypical;
            sections.Add(new GanttSection(
                Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.BlueGreen),
                [
                    new GanttTask("CreateBlueGreen and WaitForGreen, no outage", start, green),
                    new GanttTask("Switchover, the write outage", start + green, switchover, Critical: true),
                ]));
        }

        return sections.Count == 0
            ? null
            : Gantt.Mermaid(
                $"Forecast for {cluster} ({(expected.Measured ? "measured by the dress rehearsal" : "typical figures, no dress rehearsal")}), hours and minutes from the start",
                sections);
    }

    /// <summary>Old names stop resolving "in about two minutes" (RDS User Guide, Multi-AZ DB cluster rename); no Aurora figure.</summary>
    private static readonly TimeSpan TypicalDnsDrain = TimeSpan.FromMinutes(2);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToMarkdown()
    {
        var md = new MarkdownWriter();
        md.Heading(2, $"Rekey plan: {MarkdownWriter.Code(Cluster)} in {MarkdownWriter.Text(Region)}");
        if (Digest is { } digest)
        {
            md.Paragraph(
                $"Plan digest {MarkdownWriter.Code(digest)}: approving the cutover approves this plan; the cutover, given it with --approved-plan, "
                + "refuses to start if what it would do differs (cluster, key, strategy and steps, names, carried settings, dress rehearsal).");
        }

        if (NothingToDo)
        {
            md.Paragraph($"{MarkdownWriter.Code(Cluster)} already uses the requested key ({MarkdownWriter.Text(TargetKey)}); the cutover has nothing to do.");
            return md.ToString();
        }

        WriteVerdict(md);
        WriteRestoreSwapDetails(md);
        return md.ToString();
    }

    /// <summary>What the approver decides on: the headline, the keys, blockers, warnings, the ways out and the strategies compared.</summary>
    private void WriteVerdict(MarkdownWriter md)
    {
        md.Paragraph($"**{MarkdownWriter.Text(Headline())}**");
        var current = SourceEncryptionType switch
        {
            SourceEncryption.AwsOwned => "an AWS owned key (sse-rds)",
            SourceEncryption.None => "none (not encrypted)",
            _ => MarkdownWriter.Code(CurrentKey ?? "unknown"),
        };
        md.Paragraph($"Storage key: {current} → {MarkdownWriter.Code(TargetKey ?? "not given")}{(CreatesKey ? " (created by PrepareKey)" : string.Empty)}.");
        if (Blocks.Count > 0)
        {
            md.Heading(3, "Blocking (the cutover will not start)");
            md.Bullets(Blocks, "⛔ ");
        }

        if (Warnings.Count > 0)
        {
            md.Heading(3, "Warnings");
            md.Warnings(null, Warnings);
        }

        if (WaysOut.Count > 0)
        {
            md.Append(Rekey.Strategies.WaysOut.ToMarkdown(WaysOut));
        }

        if (Strategies.Count > 0)
        {
            md.Append(Rekey.Strategies.StrategyComparison.ToMarkdown(Strategies, StrategyReason));
            md.Paragraph(Strategy == Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.BlueGreen)
                ? "The cutover will use Blue/Green: its steps, outage and rollback are in the table above. The sections below describe restore-swap, the fallback, in detail."
                : "The sections below describe restore-swap in detail.");
        }
    }

    /// <summary>Restore-swap in detail: names, steps, the expected outage, every setting and how it is carried, the rollback.</summary>
    private void WriteRestoreSwapDetails(MarkdownWriter md)
    {
        md.Heading(3, "Names");
        md.Table(
            ["What", "Now", "During the cutover", "After"],
            Names.Select(name => (IReadOnlyList<Cell>)[Cell.Text(name.Kind), Cell.Code(name.Now), Cell.Code(name.DuringCutover), Cell.Text(name.After)]),
            "Names");

        md.Heading(3, "Steps");
        md.Numbered(Steps);

        md.Heading(3, "Expected outage");
        md.Bullets(Outage);
        if (ForecastGantt is { } chart)
        {
            md.Fenced("Each way's steps with their forecast durations, the write outage in red", chart, "mermaid");
        }

        md.Heading(3, "Settings and how they are carried");
        md.Table(
            ["Scope", "Setting", "Value", "Carried by"],
            Settings.Select(setting =>
                (IReadOnlyList<Cell>)[Cell.Text(setting.Scope), Cell.Text(setting.Name), Cell.Code(setting.Value), Cell.Text(Describe(setting.Carriage))]),
            "Every setting and how it is carried");

        md.Heading(3, "Rollback");
        md.Bullets(Rollback);
    }

    /// <summary>One line for the approver: the strategy, how many names change, settings carried, blockers and warnings.</summary>
    public string Headline() =>
        string.Join(
            ", ",
            Strategy ?? Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.RestoreSwap),
            RunReport.Count(Names.Count, "name"),
            RunReport.Count(Settings.Count, "setting") + " carried",
            RunReport.Count(Blocks.Count, "blocker"),
            RunReport.Count(Warnings.Count, "warning"));

    private static string OriginalName(RekeyRun run, string instanceId) =>
        instanceId.EndsWith(run.Settings.OldSuffix, StringComparison.Ordinal) ? instanceId[..^run.Settings.OldSuffix.Length] : instanceId;

    private static string Describe(Carriage carriage) => carriage switch
    {
        Carriage.RestoreParameter => "restore parameter",
        Carriage.InstanceParameter => "per-instance parameter",
        Carriage.ModifiedAfter => "later modify (Finalize)",
        Carriage.Recreated => "re-created (Finalize)",
        Carriage.KeptByRestore => "kept by the restore",
        _ => "manual",
    };
}
