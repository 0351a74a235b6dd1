using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rekey.SandboxRehearsal;
using Rekey.Reporting;

namespace Rekey.Build.SandboxRehearsal;

/// <summary>
/// One sample cluster's line of the rehearsal's proof: its outage and what became of the application's writes. On the
/// real engine (<paramref name="DataPlane"/> postgres) the counts are rows: acknowledged by the server, present in the new
/// cluster, in the old one after the switch, and the inserts a server refused once the new cluster had answered (an insert
/// whose name lookup or connection failed on a loaded machine is in the rehearsal's log line, not here)
/// (<paramref name="FailedAfterSwitchover"/>; null on the model, which has no sequences to collide), and
/// <paramref name="PresentInNew"/> counts the acknowledged writes the new cluster holds.
/// </summary>
public sealed record RehearsalProofRow(
    string Cluster,
    string? Strategy,
    double? OutageSeconds,
    double? StartToSwitchoverSeconds,
    long Writes,
    int Acknowledged,
    int AcknowledgedByOldBeforeSwitch,
    int AcknowledgedByNew,
    IReadOnlyList<string> LostBeforeSwitch,
    IReadOnlyList<string> OldAfterSwitch,
    bool Passed,
    string KeyBefore,
    string DataPlane = "model",
    int? FailedAfterSwitchover = null,
    int? PresentInNew = null);

/// <summary>
/// The rehearsal's proof table (what Rehearse prints at its end) as files an operator keeps and a job summary shows:
/// <c>rehearsal.md</c> through the one Markdown writer, <c>rehearsal.json</c> for tools.
/// </summary>
public sealed record RehearsalProof(IReadOnlyList<RehearsalProofRow> Clusters)
{
    /// <summary>The version of rehearsal.json's shape; raised when a field changes meaning or goes away.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public int FormatVersion => CurrentFormatVersion;

    /// <summary>Rekey's version and commit, as <c>--version</c> prints them.</summary>
    public RekeyVersion Version => RekeyVersion.Current;

    /// <summary>True when no cluster lost an acknowledged write or had one land on its old cluster after the switch.</summary>
    public bool Passed => Clusters.All(c => c.Passed);

    /// <summary>The proof of the audited clusters; a cluster with a verdict on real rows takes its failed inserts from it.</summary>
    public static RehearsalProof Of(IReadOnlyList<WriteAudit> audits, IReadOnlyDictionary<string, long> writes, IReadOnlyDictionary<string, RowVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(audits);
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(verdicts);
        return new RehearsalProof([.. audits.Select(a => Row(a, writes.GetValueOrDefault(a.Cluster), verdicts.GetValueOrDefault(a.Cluster)))]);
    }

    public static RehearsalProofRow Row(WriteAudit audit, long writes, RowVerdict? verdict = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return new RehearsalProofRow(
            audit.Cluster,
            audit.Strategy,
            audit.Outage?.TotalSeconds,
            audit.StartToSwitchover?.TotalSeconds,
            writes,
            audit.Acknowledged,
            audit.AcknowledgedByOldBeforeT1,
            audit.AcknowledgedByNew,
            audit.LostBeforeT1,
            audit.OldAfterT1,
            audit.Passed,
            SampleAccount.Clusters.FirstOrDefault(c => c.Id == audit.Cluster)?.StorageEncrypted is null ? "AWS owned (sse-rds)" : "aws/rds",
            verdict is null ? "model" : "postgres",
            verdict?.RefusedByNewServer.Count,
            verdict is null ? audit.Acknowledged - audit.LostBeforeT1.Count - audit.OldAfterT1.Count : verdict.Acknowledged - verdict.MissingFromNew.Count);
    }

    public static IReadOnlyList<string> Headers { get; } =
    [
        "Cluster", "Strategy", "Write outage (AWS time)", "Start to switchover", "Writes", "Acked", "Acked by old before switch",
        "Acked by new", "Lost", "Old after switch", "Result", "Key before", "Data plane", "Present in new", "Failed after switchover",
    ];

    /// <summary>The cells of one row as text, in <see cref="Headers"/>' order (the console's table and the Markdown table).</summary>
    public static IReadOnlyList<string> Cells(RehearsalProofRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
        return
        [
            row.Cluster,
            row.Strategy ?? "not measured",
            row.OutageSeconds is { } outage ? Durations.Text(outage) : "not measured",
            row.StartToSwitchoverSeconds is { } toSwitchover ? Durations.Text(toSwitchover) : "—",
            Count(row.Writes),
            Count(row.Acknowledged),
            Count(row.AcknowledgedByOldBeforeSwitch),
            Count(row.AcknowledgedByNew),
            Count(row.LostBeforeSwitch.Count),
            Count(row.OldAfterSwitch.Count),
            row.Passed ? "none lost" : "writes lost",
            row.KeyBefore,
            row.DataPlane,
            row.PresentInNew is { } present ? Count(present) : "not measured",
            row.FailedAfterSwitchover is { } failed ? Count(failed) : "— (model)",
        ];
    }

    public string ToMarkdown()
    {
        var md = new MarkdownWriter();
        md.Heading(2, "Rehearsal: the application's writes");
        md.Paragraph(MarkdownWriter.Text(Headline()));
        md.Table(Headers, Clusters.Select(r => (IReadOnlyList<Cell>)[.. Cells(r).Select(Cell.Text)]), "Clusters");
        foreach (var row in Clusters.Where(r => !r.Passed))
        {
            md.Fenced(
                MarkdownWriter.Text($"{row.Cluster}: the writes lost before the switch, then those the old cluster took after it"),
                string.Join('\n', [.. row.LostBeforeSwitch.Select(w => "lost: " + w), .. row.OldAfterSwitch.Select(w => "old after switch: " + w)]));
        }

        md.Paragraph(MarkdownWriter.Text($"{RekeyVersion.Current}."));
        return md.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes <c>rehearsal.md</c> and <c>rehearsal.json</c> into <paramref name="directory"/> and returns their paths.</summary>
    public (string Json, string Markdown) WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, "rehearsal.json");
        var markdown = Path.Combine(directory, "rehearsal.md");
        File.WriteAllText(json, ToJson());
        File.WriteAllText(markdown, ToMarkdown());
        return (json, markdown);
    }

    private string Headline()
    {
        var lost = Clusters.Sum(c => c.LostBeforeSwitch.Count + c.OldAfterSwitch.Count);
        var clusters = Clusters.Count == 1 ? "1 cluster" : $"{Clusters.Count.ToString(CultureInfo.InvariantCulture)} clusters";
        return Passed
            ? $"{clusters} cut over while an application wrote the whole time; no acknowledged write was lost."
            : $"{clusters} cut over; {lost.ToString(CultureInfo.InvariantCulture)} writes were lost or reached an old cluster after the switch.";
    }
}
