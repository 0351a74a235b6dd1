using System.Globalization;
using System.Text;
using System.Text.Json;
using Rekey.State;

namespace Rekey.DressRehearsal;

/// <summary>The dress rehearsal's report: measured times, the forecast outage per strategy and the cost drivers.</summary>
public static class DressRehearsalReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string ToMarkdown(DressRehearsalResult result, TimeSpan switchoverTimeout)
    {
        var r = result.Record;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Rekey dress rehearsal: `{result.ClusterId}`");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"A copy `{result.DressClusterId}` was restored at the latest restorable time with `{result.TargetKeyArn}`, {(result.KeyChecked ? "checked to be on that key" : "its key not measured (the copy was gone when this run resumed)")} and deleted. `{result.ClusterId}` got only tags.");
        md.AppendLine();
        md.AppendLine("### Measured on AWS's clock");
        md.AppendLine();
        md.AppendLine("| Operation | Time |");
        md.AppendLine("| --- | --- |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Latest restorable time behind now | {DressRehearsalRecord.Text(r.RestorableLag)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Restore (RestoreDBClusterToPointInTime until available) | {DressRehearsalRecord.Text(r.Restore)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Writer ({r.InstanceClass}, CreateDBInstance until available) | {DressRehearsalRecord.Text(r.Writer)} |");
        md.AppendLine();
        md.AppendLine("### Forecast write outage");
        md.AppendLine();
        md.AppendLine("| Strategy | Outage | From |");
        md.AppendLine("| --- | --- | --- |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| restore-swap | about {DressRehearsalRecord.Text(r.RestoreSwapOutage)} | rename and DNS ~{DressRehearsalRecord.Text(DressRehearsalRecord.RenameAndDns)} (estimate) + lag + restore + writer (measured) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Blue/Green | about {DressRehearsalRecord.Text(DressRehearsalRecord.BlueGreenTypical)}, at most {switchoverTimeout.TotalSeconds:0} s | the switchover, bounded by --switchover-timeout, after which AWS rolls it back |");
        md.AppendLine();
        md.AppendLine("### Cost drivers");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- One {r.InstanceClass} instance and the copy's storage, {result.Ran.TotalHours:0.##} hours ({Tagging.Iso(r.StartedAt)} to {Tagging.Iso(result.EndedAt)}).");
        md.AppendLine("- No final snapshot was kept.");
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
