using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rekey.Checks;
using Rekey.Migration;

namespace Rekey.Reporting;

/// <summary>One step of the run as the report shows it.</summary>
/// <param name="Step">The task's name.</param>
/// <param name="Status">succeeded, failed, skipped or cancelled.</param>
/// <param name="DurationSeconds">How long the step ran, on the runner's clock.</param>
/// <param name="Details">A failure's message, or why the step was skipped.</param>
/// <param name="StartedAt">The Date of the step's first AWS answer (AWS's clock); null when AWS answered nothing during the step.</param>
/// <param name="FinishedAt">The Date of the step's last AWS answer (AWS's clock).</param>
public sealed record StepOutcome(string Step, string Status, double DurationSeconds, string? Details = null, DateTimeOffset? StartedAt = null, DateTimeOffset? FinishedAt = null);

/// <summary>The report of a run: its steps, the outage on AWS's clock, Verify's findings, and what the steps recorded.</summary>
public sealed record RunReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Enums as the command line spells them ("restore-swap"), and quotes as quotes: the file is read by people and jq, not embedded in HTML.
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The version of this report's layout; it changes when a member is renamed or removed.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The version of this report's layout (<see cref="CurrentFormatVersion"/>).</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The Rekey that wrote the report: its version and the commit it was built from.</summary>
    public RekeyVersion Tool { get; init; } = RekeyVersion.Current;

    /// <summary>Who ran it: the GitHub actor under GitHub Actions, otherwise null.</summary>
    public string? Actor { get; init; }

    public required string Target { get; init; }

    public string? Cluster { get; init; }

    public string? Region { get; init; }

    public string? Environment { get; init; }

    public required string RunId { get; init; }

    public string? RunUrl { get; init; }

    public required bool Succeeded { get; init; }

    public string? Error { get; init; }

    public required IReadOnlyList<StepOutcome> Steps { get; init; }

    /// <summary>The Date of the run's first AWS answer (AWS's clock); null when AWS answered nothing.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The Date of the run's last AWS answer (AWS's clock).</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Moments on AWS's clock (fenced, t1, writer-available, ...).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> AwsTimes { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>From the rename to the writer being reachable at the old address, on AWS's clock.</summary>
    public double? OutageSeconds { get; init; }

    public IReadOnlyDictionary<string, string> Facts { get; init; } = new Dictionary<string, string>();

    public PreflightReport? Preflight { get; init; }

    public VerifyResult? Verification { get; init; }

    /// <summary>Every step's checks, each passed, failed or not measured (with the reason and what to look at instead).</summary>
    public IReadOnlyList<StepChecks> Checks { get; init; } = [];

    /// <summary>What AWS showed when the verdict was made (key ARN, names, lock holder), read then.</summary>
    public FinalState? Final { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Every call of this run that changed AWS, by step, in order, as the change guard let it through.</summary>
    public IReadOnlyList<Safety.GuardedChange> Changes { get; init; } = [];

    public IReadOnlyList<string> Log { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToMarkdown() => ToMarkdown([]);

    /// <summary>The report as Markdown; warnings in <paramref name="warningsShownAbove"/> (an earlier part of a job summary) are not repeated.</summary>
    public string ToMarkdown(IEnumerable<string> warningsShownAbove)
    {
        var md = new MarkdownWriter(warningsShownAbove);
        md.Heading(2, $"Rekey {MarkdownWriter.Text(Target)}{(Cluster is null ? string.Empty : $": {MarkdownWriter.Code(Cluster)}")} — {(Succeeded ? "succeeded" : "failed")}");
        md.Paragraph($"**{Headline()}**");
        md.Paragraph(RunLine());

        // A failed step's message is shown in full under the steps table; any other error of several lines here.
        if (Error is not null && MarkdownWriter.IsMultiLine(Error) && !Steps.Any(s => s.Details?.Trim() == Error.Trim()))
        {
            md.Fenced("**Error** in full", Error);
        }

        AppendSteps(md);
        AppendAwsTimes(md);

        if (GanttChart() is { } chart)
        {
            md.Fenced("The steps on AWS's clock (UTC), the write outage in red", chart, "mermaid");
        }

        AppendVerdict(md);
        AppendChecks(md);

        if (Preflight is { } preflight && preflight.Blocks.Count > 0)
        {
            md.Paragraph("Preflight found what blocks the cutover:");
            md.Bullets(preflight.Blocks, "⛔ ");
        }

        // Preflight's warnings are among the run's warnings; each is written once.
        md.Warnings("Warnings:", Warnings.Concat(Preflight?.Warnings ?? []));

        if (Log.Count > 0)
        {
            md.Details("What the steps did", d => d.Bullets(Log));
        }

        return md.ToString();
    }

    /// <summary>The run's id, Region, environment, link and its times on AWS's clock, as one paragraph.</summary>
    private string RunLine() =>
        $"Run {MarkdownWriter.Code(RunId)}{(Region is null ? string.Empty : $" in {MarkdownWriter.Text(Region)}")}"
        + (Environment is null ? string.Empty : $", environment {MarkdownWriter.Text(Environment)}")
        + (RunUrl is null ? string.Empty : $" ([run]({RunUrl}))")
        + (StartedAt is { } started
            ? $", from {Time(started)} to {(FinishedAt is { } finished ? Time(finished) : "not measured")} on AWS's clock"
            : ", times on AWS's clock not measured (no AWS answer)")
        + ".";

    private void AppendSteps(MarkdownWriter md) =>
        md.Table(
            ["Step", "Status", "Duration", "Started (AWS)", "Finished (AWS)"],
            Steps.Select(step => (IReadOnlyList<Cell>)[
                Cell.Text(step.Step), StatusCell(step), Cell.Text(Durations.Text(step.DurationSeconds)),
                Cell.Text(step.StartedAt is { } s ? Time(s) : "not measured"), Cell.Text(step.FinishedAt is { } f ? Time(f) : "not measured")]),
            "Steps",
            [false, false, true, false, false]);

    private void AppendAwsTimes(MarkdownWriter md)
    {
        if (AwsTimes.Count == 0 && OutageSeconds is null)
        {
            return;
        }

        md.Paragraph("On AWS's clock:");
        var lines = AwsTimes.OrderBy(t => t.Value).Select(t => $"{MarkdownWriter.Text(t.Key)}: {Time(t.Value)}").ToList();
        if (OutageSeconds is { } outage)
        {
            lines.Add($"**write outage: {Durations.Text(outage)}**");
        }

        md.MarkdownBullets(lines);
    }

    /// <summary>Verify's result and what AWS showed at the end.</summary>
    private void AppendVerdict(MarkdownWriter md)
    {
        if (Verification is { } verify)
        {
            md.Paragraph($"Verify: {Count(verify.Checked.Count, "check")} passed, {Count(verify.Problems.Count, "problem")}, {verify.NotMeasured.Count} not measured.");
            md.Bullets(verify.Problems, "❌ ");
        }

        if (Final is { } final)
        {
            md.Paragraph(
                $"AWS shows, read at the end: {MarkdownWriter.Code(final.ClusterId)} {MarkdownWriter.Text(final.Status ?? "missing")}, "
                + $"on {MarkdownWriter.Code(final.KmsKeyArn ?? "no key")}"
                + (final.OnExpectedKey ? " (this run's key)" : $", **not this run's key** {MarkdownWriter.Code(final.ExpectedKeyArn)}")
                + $", at {MarkdownWriter.Code(final.ClusterEndpoint ?? "no endpoint")}; "
                + $"lock {(final.LockHolder is null ? "free" : $"held by run {MarkdownWriter.Code(final.LockHolder)}")}.");
        }
    }

    /// <summary>
    /// The steps that ran, each from its first to its last AWS answer, in a section named after the strategy, with the
    /// write outage (rename to writer, or the switchover) as a critical bar; null when no step has times on AWS's clock.
    /// </summary>
    public string? GanttChart()
    {
        var tasks = Steps
            .Where(s => s.Status != "skipped" && s.StartedAt is not null && s.FinishedAt is not null)
            .Select(s => new GanttTask(s.Step, s.StartedAt!.Value, s.FinishedAt!.Value - s.StartedAt.Value))
            .ToList();
        if (tasks.Count == 0)
        {
            return null;
        }

        if (OutageWindow() is { } outage)
        {
            tasks.Add(new GanttTask("write outage", outage.Start, outage.End - outage.Start, Critical: true));
        }

        var section = Preflight is { } preflight ? Configuration.CutoverStrategies.Name(preflight.Strategy) : Target;
        return Gantt.Mermaid($"{Target}{(Cluster is null ? string.Empty : $" of {Cluster}")} on AWS's clock (UTC)", [new GanttSection(section, tasks.OrderBy(t => t.Start).ToList())]);
    }

    // Restore-swap's writers are down from the fence to the new writer; Blue/Green's during the switchover.
    private (DateTimeOffset Start, DateTimeOffset End)? OutageWindow() =>
        AwsTimes.TryGetValue("fenced", out var fenced) && AwsTimes.TryGetValue("writer-available", out var writer) ? (fenced, writer)
        : AwsTimes.TryGetValue("switchover-started", out var asked) && AwsTimes.TryGetValue("switched", out var switched) ? (asked, switched)
        : null;

    /// <summary>Per step, the counts; every failed item, and every item not measured with its reason and what shows it otherwise.</summary>
    private void AppendChecks(MarkdownWriter md)
    {
        if (Checks.Count == 0)
        {
            return;
        }

        md.Paragraph("Checks (passed, failed, not measured; not measured never counts as passed):");
        var lines = new List<string>();
        foreach (var step in Checks)
        {
            var passed = step.Items.Count(i => i.Outcome == CheckOutcome.Passed);
            var failed = step.Items.Count(i => i.Outcome == CheckOutcome.Failed);
            var notMeasured = step.Items.Count(i => i.Outcome == CheckOutcome.NotMeasured);
            lines.Add($"{MarkdownWriter.Text(step.Step)}: {passed} passed, {failed} failed, {notMeasured} not measured");
            foreach (var item in step.Items.Where(i => i.Outcome != CheckOutcome.Passed))
            {
                lines.Add(item.Outcome == CheckOutcome.Failed
                    ? $"❌ {MarkdownWriter.Text(item.Detail)}"
                    : $"❔ **not measured**{(item.Essential ? string.Empty : " (supplementary)")}: {MarkdownWriter.Text(item.What)}. {MarkdownWriter.Text(item.Detail)}"
                        + (item.LookInstead is null ? string.Empty : $" Look instead at: {MarkdownWriter.Text(item.LookInstead)}"));
            }
        }

        md.MarkdownBullets(lines);
    }

    /// <summary>One line that says how the target ended: where it failed and why, or what it measured.</summary>
    public string Headline()
    {
        var who = $"{MarkdownWriter.Text(Target)}{(Cluster is null ? string.Empty : $" of {MarkdownWriter.Code(Cluster)}")}";
        if (!Succeeded)
        {
            var failedAt = Steps.FirstOrDefault(s => s.Status is "failed" or "cancelled")?.Step;
            var reason = Error is null ? "a step failed" : MarkdownWriter.Text(MarkdownWriter.FirstLine(Error));
            return $"{who} failed{(failedAt is null ? string.Empty : $" at {MarkdownWriter.Text(failedAt)}")}: {reason}";
        }

        var parts = new List<string> { $"{who} succeeded", Count(Steps.Count(s => s.Status == "succeeded"), "step") + " done" };
        var skipped = Steps.Count(s => s.Status == "skipped");
        if (skipped > 0)
        {
            parts.Add($"{skipped} skipped");
        }

        if (OutageSeconds is { } outage)
        {
            parts.Add($"write outage {Durations.Text(outage)}");
        }

        if (Verification is { } verify)
        {
            parts.Add(Count(verify.Problems.Count, "problem"));
        }

        var warnings = Warnings.Concat(Preflight?.Warnings ?? []).Distinct(StringComparer.Ordinal).Count();
        parts.Add(Count(warnings, "warning"));
        return string.Join(", ", parts);
    }

    /// <summary>A moment on AWS's clock as the report writes it: UTC, whole seconds (HTTP Date's precision).</summary>
    private static string Time(DateTimeOffset moment) => moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"1 check", "2 checks", "0 problems".</summary>
    internal static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");

    // A failure's message may be several lines (Preflight's blocks, SQL): the cell keeps the first, the rest goes below the table.
    private static Cell StatusCell(StepOutcome step)
    {
        if (step.Details is null)
        {
            return Cell.Text(step.Status);
        }

        var text = $"{step.Status} ({MarkdownWriter.FirstLine(step.Details)})";
        return MarkdownWriter.IsMultiLine(step.Details)
            ? new Cell(MarkdownWriter.Text(text) + " (in full below)", step.Details.Trim())
            : Cell.Text(text);
    }

    /// <summary>Writes <c>NAME.json</c> and <c>NAME.md</c> into <paramref name="directory"/>, replacing earlier ones atomically.</summary>
    public (string Json, string Markdown) WriteTo(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, name + ".json");
        var markdown = Path.Combine(directory, name + ".md");
        WriteAtomically(json, ToJson());
        WriteAtomically(markdown, ToMarkdown());
        return (json, markdown);
    }

    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
