using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rekey.Checks;
using Rekey.Migration;

namespace Rekey.Reporting;

/// <summary>One step of the run as the report shows it.</summary>
public sealed record StepOutcome(string Step, string Status, double DurationSeconds, string? Details = null);

/// <summary>The report of a run: its steps, the outage on AWS's clock, Verify's findings, and what the steps recorded.</summary>
public sealed record RunReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Target { get; init; }

    public string? Cluster { get; init; }

    public string? Region { get; init; }

    public string? Environment { get; init; }

    public required string RunId { get; init; }

    public string? RunUrl { get; init; }

    public required bool Succeeded { get; init; }

    public string? Error { get; init; }

    public required IReadOnlyList<StepOutcome> Steps { get; init; }

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

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Rekey {Target}{(Cluster is null ? string.Empty : $": `{Cluster}`")} — {(Succeeded ? "succeeded" : "failed")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run `{RunId}`{(Region is null ? string.Empty : $" in {Region}")}{(Environment is null ? string.Empty : $", environment {Environment}")}{(RunUrl is null ? string.Empty : $" ([run]({RunUrl}))")}.");
        if (Error is not null)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"> **Error:** {Error.ReplaceLineEndings(" ")}");
        }

        md.AppendLine();
        md.AppendLine("| Step | Status | Duration |");
        md.AppendLine("| --- | --- | ---: |");
        foreach (var step in Steps)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {step.Step} | {step.Status}{(step.Details is null ? string.Empty : $" ({step.Details})")} | {step.DurationSeconds:0.0} s |");
        }

        if (AwsTimes.Count > 0 || OutageSeconds is not null)
        {
            md.AppendLine();
            md.AppendLine("On AWS's clock:");
            md.AppendLine();
            foreach (var (name, time) in AwsTimes.OrderBy(t => t.Value))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {name}: {time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
            }

            if (OutageSeconds is { } outage)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- **write outage: {TimeSpan.FromSeconds(outage):hh\\:mm\\:ss}**");
            }
        }

        if (Verification is { } verify)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Verify: {verify.Checked.Count} checks passed, {verify.Problems.Count} problems, {verify.NotMeasured.Count} not measured.");
            foreach (var problem in verify.Problems)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- ❌ {problem}");
            }
        }

        if (Final is { } final)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"AWS shows, read at the end: `{final.ClusterId}` {final.Status ?? "missing"}, on `{final.KmsKeyArn ?? "no key"}`{(final.OnExpectedKey ? " (this run's key)" : $", **not this run's key** `{final.ExpectedKeyArn}`")}, at `{final.ClusterEndpoint ?? "no endpoint"}`; lock {(final.LockHolder is null ? "free" : $"held by run `{final.LockHolder}`")}.");
        }

        AppendChecks(md);

        if (Preflight is { } preflight && (preflight.Blocks.Count > 0 || preflight.Warnings.Count > 0))
        {
            md.AppendLine();
            md.AppendLine("Preflight:");
            md.AppendLine();
            foreach (var block in preflight.Blocks)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- ⛔ {block}");
            }

            foreach (var warning in preflight.Warnings)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- ⚠️ {warning}");
            }
        }

        if (Warnings.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Warnings:");
            md.AppendLine();
            foreach (var warning in Warnings)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- ⚠️ {warning}");
            }
        }

        if (Log.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("<details><summary>What the steps did</summary>");
            md.AppendLine();
            foreach (var line in Log)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
            }

            md.AppendLine();
            md.AppendLine("</details>");
        }

        return md.ToString();
    }

    /// <summary>Per step, the counts; every failed item, and every item not measured with its reason and what shows it otherwise.</summary>
    private void AppendChecks(StringBuilder md)
    {
        if (Checks.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("Checks (passed, failed, not measured; not measured never counts as passed):");
        md.AppendLine();
        foreach (var step in Checks)
        {
            var passed = step.Items.Count(i => i.Outcome == CheckOutcome.Passed);
            var failed = step.Items.Count(i => i.Outcome == CheckOutcome.Failed);
            var notMeasured = step.Items.Count(i => i.Outcome == CheckOutcome.NotMeasured);
            md.AppendLine(CultureInfo.InvariantCulture, $"- {step.Step}: {passed} passed, {failed} failed, {notMeasured} not measured");
            foreach (var item in step.Items.Where(i => i.Outcome != CheckOutcome.Passed))
            {
                var line = item.Outcome == CheckOutcome.Failed
                    ? $"❌ {item.Detail}"
                    : $"❔ **not measured**{(item.Essential ? string.Empty : " (supplementary)")}: {item.What}. {item.Detail}{(item.LookInstead is null ? string.Empty : $" Look instead at: {item.LookInstead}")}";
                md.AppendLine(CultureInfo.InvariantCulture, $"  - {line.ReplaceLineEndings(" ")}");
            }
        }
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
