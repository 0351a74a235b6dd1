using System.Globalization;
using System.Text.Json;
using Rekey.Reporting;
using Rekey.State;

namespace Rekey.Forecast;

/// <summary>The dress rehearsal's report: measured times, the forecast outage per strategy and the cost drivers.</summary>
public static class DressRehearsalReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string ToMarkdown(DressRehearsalResult result, TimeSpan switchoverTimeout)
    {
        ArgumentNullException.ThrowIfNull(result);
        var r = result.Record;
        var md = new MarkdownWriter();
        md.Heading(2, $"Rekey dress rehearsal: {MarkdownWriter.Code(result.ClusterId)}");
        var measured = $"restore {DressRehearsalRecord.Text(r.Restore)}, writer {DressRehearsalRecord.Text(r.Writer)}, "
            + $"forecast restore-swap outage about {DressRehearsalRecord.Text(r.RestoreSwapOutage)}";
        md.Paragraph($"**{MarkdownWriter.Text(measured)}**");
        md.Paragraph($"A copy {MarkdownWriter.Code(result.DressClusterId)} was restored at the latest restorable time with {MarkdownWriter.Code(result.TargetKeyArn)}, "
            + $"{(result.KeyChecked ? "checked to be on that key" : "its key not measured (the copy was gone when this run resumed)")} and deleted. "
            + $"{MarkdownWriter.Code(result.ClusterId)} got only tags.");
        md.Heading(3, "Measured on AWS's clock");
        md.Table(
            ["Operation", "Time"],
            [
                [Cell.Text("Latest restorable time behind now"), Cell.Text(DressRehearsalRecord.Text(r.RestorableLag))],
                [Cell.Text("Restore (RestoreDBClusterToPointInTime until available)"), Cell.Text(DressRehearsalRecord.Text(r.Restore))],
                [Cell.Text($"Writer ({r.InstanceClass}, CreateDBInstance until available)"), Cell.Text(DressRehearsalRecord.Text(r.Writer))],
            ]);
        md.Heading(3, "Forecast write outage");
        md.Table(
            ["Strategy", "Outage", "From"],
            [
                [
                    Cell.Text("restore-swap"),
                    Cell.Text($"about {DressRehearsalRecord.Text(r.RestoreSwapOutage)}"),
                    Cell.Text($"rename and DNS ~{DressRehearsalRecord.Text(DressRehearsalRecord.RenameAndDns)} (estimate) + lag + restore + writer (measured)"),
                ],
                [
                    Cell.Text("Blue/Green"),
                    Cell.Text(string.Create(
                        CultureInfo.InvariantCulture,
                        $"about {DressRehearsalRecord.Text(DressRehearsalRecord.BlueGreenTypical)}, at most {DressRehearsalRecord.Text(switchoverTimeout)}")),
                    Cell.Text("the switchover, bounded by --switchover-timeout, after which AWS rolls it back"),
                ],
            ]);
        md.Heading(3, "Cost drivers");
        md.Bullets(
        [
            string.Create(
                CultureInfo.InvariantCulture,
                $"One {r.InstanceClass} instance and the copy's storage, {DressRehearsalRecord.Text(result.Ran)} ({Tagging.Iso(r.StartedAt)} to {Tagging.Iso(result.EndedAt)})."),
            "No final snapshot was kept.",
        ]);
        return md.ToString();
    }

    public static string ToJson(DressRehearsalResult result, TimeSpan switchoverTimeout) =>
        JsonSerializer.Serialize(
            new
            {
                cluster = result.ClusterId,
                dressCluster = result.DressClusterId,
                targetKey = result.TargetKeyArn,
                runId = result.Record.RunId,
                startedAt = result.Record.StartedAt,
                endedAt = result.EndedAt,
                measuredSeconds = new { restorableLag = result.Record.RestorableLag.TotalSeconds, restore = result.Record.Restore.TotalSeconds, writer = result.Record.Writer.TotalSeconds },
                forecastSeconds = new
                {
                    restoreSwap = result.Record.RestoreSwapOutage.TotalSeconds,
                    renameAndDnsEstimate = DressRehearsalRecord.RenameAndDns.TotalSeconds,
                    blueGreenTypical = DressRehearsalRecord.BlueGreenTypical.TotalSeconds,
                    blueGreenWorstCase = switchoverTimeout.TotalSeconds,
                },
                cost = new { instanceClass = result.Record.InstanceClass, instances = 1, hours = Math.Round(result.Ran.TotalHours, 3) },
            },
            Json);
}
