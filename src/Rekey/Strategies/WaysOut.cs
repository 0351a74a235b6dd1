using System.Globalization;
using System.Text;
using Rekey.Configuration;
using Rekey.Forecast;
using Rekey.Migration;

namespace Rekey.Strategies;

/// <summary>One way to move a cluster onto the customer managed key, as Plan ranks it.</summary>
public sealed record WayOut
{
    /// <summary>restore-swap, blue-green or parameter-first.</summary>
    public required string Name { get; init; }

    public required string Title { get; init; }

    /// <summary>1 for the shortest forecast write outage among the ways that are possible; null when blocked.</summary>
    public int? Rank { get; init; }

    /// <summary>What --strategy (auto or as asked) will run.</summary>
    public bool Chosen { get; init; }

    /// <summary>The way needs a writer reboot before the cutover (auto never takes it by itself).</summary>
    public bool ExtraReboot { get; init; }

    /// <summary>Why it cannot be taken; a blocked way has no forecast.</summary>
    public IReadOnlyList<string> BlockedBy { get; init; } = [];

    public bool Blocked => BlockedBy.Count > 0;

    /// <summary>The forecast write outage in seconds (failed writes, all windows together); null when blocked.</summary>
    public double? ForecastSeconds { get; init; }

    /// <summary>The forecast in words, with what it is made of and whether it was measured; null when blocked.</summary>
    public string? Forecast { get; init; }

    public required IReadOnlyList<string> Steps { get; init; }

    public required string Cost { get; init; }

    public required string NeedsFromOperator { get; init; }
}

/// <summary>What a writer reboot costs, for the way out that turns binary logging or logical replication on first.</summary>
public static class ShorterWithReboot
{
    /// <summary>
    /// An estimate, not measured: AWS does not document how long an Aurora writer reboot refuses writes; the RDS console
    /// and the sandbox take about a minute, which PrepareBlueGreenParameters also quotes.
    /// </summary>
    public const int RebootOutageSeconds = 60;

    /// <summary>"enable binary logging" (Aurora MySQL, binlog_format) or "enable logical replication" (Aurora PostgreSQL).</summary>
    public static string Name(string? parameter) => string.Equals(parameter, "binlog_format", StringComparison.Ordinal)
        ? "enable binary logging (binlog_format=ROW)"
        : "enable logical replication (rds.logical_replication=1)";
}

/// <summary>
/// Every way out for one cluster, ranked by forecast write outage: restore-swap, Blue/Green, and, when only the
/// replication parameter blocks Blue/Green, that parameter first (one writer reboot now) and then Blue/Green.
/// Restore-swap's forecast is the last dress rehearsal's measurement when there is one.
/// </summary>
public static class WaysOut
{
    /// <summary>Rename and DNS + restorable lag + writer, without the restore, when no dress rehearsal measured them (AWS-NOTES).</summary>
    private static readonly TimeSpan UnmeasuredRestoreSwapFloor = DressRehearsalRecord.RenameAndDns + TimeSpan.FromMinutes(5) + TimeSpan.FromMinutes(10);

    public static IReadOnlyList<WayOut> Rank(string clusterId, PreflightReport preflight, DressRehearsalRecord? rehearsal, RekeySettings settings)
    {
        ArgumentNullException.ThrowIfNull(preflight);
        ArgumentNullException.ThrowIfNull(settings);
        var verdict = preflight.BlueGreen ?? new BlueGreenVerdict();
        var switchoverText = $"the switchover, typically under a minute (about {DressRehearsalRecord.Text(DressRehearsalRecord.BlueGreenTypical)}, estimated), "
            + $"at most --switchover-timeout ({DressRehearsalRecord.Text(settings.SwitchoverTimeout)}) before AWS rolls it back";

        var blueGreen = BlueGreenWay(clusterId, preflight, verdict, switchoverText);
        var ways = new List<WayOut> { RestoreSwapWay(clusterId, preflight, rehearsal), blueGreen };
        if (verdict.MissingParameter is { } parameter)
        {
            ways.Add(ParameterFirstWay(clusterId, preflight, verdict, parameter, blueGreen, switchoverText));
        }

        var rank = 1;
        var ranked = ways
            .OrderBy(w => w.Blocked ? 1 : 0)
            .ThenBy(w => w.ForecastSeconds ?? double.MaxValue)
            .Select(w => w.Blocked ? w : w with { Rank = rank++ })
            .ToList();
        return ranked;
    }

    /// <summary>Restore-swap, forecast from the dress rehearsal when one is recorded, else its floor without the restore.</summary>
    private static WayOut RestoreSwapWay(string clusterId, PreflightReport preflight, DressRehearsalRecord? rehearsal)
    {
        var restoreSwapBlocks = preflight.CommonBlocks.Concat(preflight.RestoreSwapOnlyBlocks).ToList();
        var (swapOutage, swapText) = rehearsal is not null
            ? (rehearsal.RestoreSwapOutage,
                $"about {DressRehearsalRecord.Text(rehearsal.RestoreSwapOutage)}, measured by the dress rehearsal of {State.Tagging.Iso(rehearsal.StartedAt)}: "
                + $"rename and DNS {DressRehearsalRecord.Text(DressRehearsalRecord.RenameAndDns)} (estimated) + restorable lag {DressRehearsalRecord.Text(rehearsal.RestorableLag)} "
                + $"+ restore {DressRehearsalRecord.Text(rehearsal.Restore)} + writer {DressRehearsalRecord.Text(rehearsal.Writer)}")
            : (UnmeasuredRestoreSwapFloor,
                $"at least {DressRehearsalRecord.Text(UnmeasuredRestoreSwapFloor)} plus the restore, which is not measured: "
                + "rename and DNS (about 2 min) + restorable lag (about 5 min) + writer (about 10 min); run DressRehearsal to measure it");
        return new WayOut
        {
            Name = CutoverStrategy.RestoreSwap.Name(),
            Title = "Restore-swap: rename, DNS drain, point-in-time restore under the old name on the new key",
            Chosen = preflight.Strategy == CutoverStrategy.RestoreSwap,
            BlockedBy = restoreSwapBlocks,
            ForecastSeconds = restoreSwapBlocks.Count > 0 ? null : swapOutage.TotalSeconds,
            Forecast = restoreSwapBlocks.Count > 0 ? null : swapText,
            Steps = ["PrepareKey", "Fence", "Restore", "CreateInstances", "Finalize", "Verify", "Backup"],
            Cost = "A full copy of the cluster restored on the new key; the old cluster is kept (and billed) until Cleanup, 7 days by default.",
            NeedsFromOperator = $"--confirm={clusterId} and one window as long as the whole outage; applications must reconnect after the rename.",
        };
    }

    private static WayOut BlueGreenWay(string clusterId, PreflightReport preflight, BlueGreenVerdict verdict, string switchoverText)
    {
        var blueGreenBlocks = preflight.CommonBlocks.Concat(verdict.Blockers).ToList();
        return new WayOut
        {
            Name = CutoverStrategy.BlueGreen.Name(),
            Title = "Blue/Green: a green cluster on the new key, then a switchover",
            Chosen = preflight.Strategy == CutoverStrategy.BlueGreen,
            BlockedBy = blueGreenBlocks,
            ForecastSeconds = blueGreenBlocks.Count > 0 ? null : DressRehearsalRecord.BlueGreenTypical.TotalSeconds,
            Forecast = blueGreenBlocks.Count > 0 ? null : switchoverText,
            Steps = ["PrepareKey", "CreateBlueGreen", "WaitForGreen", "VerifyGreen", "approval", "Switchover", "VerifyBlueGreen", "Backup"],
            Cost = "A green cluster (a full copy on the new key, with its instances) billed next to blue from CreateBlueGreen; the old blue is kept until Cleanup.",
            NeedsFromOperator = $"--confirm={clusterId}, the approval before the switchover, and no DDL on blue while green replicates.",
        };
    }

    /// <summary>The parameter Blue/Green lacks set first (one writer reboot, in a window of its own), then Blue/Green.</summary>
    private static WayOut ParameterFirstWay(
        string clusterId, PreflightReport preflight, BlueGreenVerdict verdict, string parameter, WayOut blueGreen, string switchoverText)
    {
        var name = ShorterWithReboot.Name(parameter);
        var otherBlocks = verdict.Blockers.Where(b => !verdict.ParameterBlockers.Contains(b)).ToList();
        var firstBlocks = preflight.CommonBlocks.Concat(otherBlocks).ToList();
        var reboot = ShorterWithReboot.RebootOutageSeconds;
        var total = TimeSpan.FromSeconds(reboot) + DressRehearsalRecord.BlueGreenTypical;
        var fix = $"./build.sh --target=PrepareBlueGreenParameters --cluster={clusterId} --{ArgumentNames.FixParameterGroup} --confirm={clusterId}";
        return new WayOut
        {
            Name = "parameter-first",
            Title = $"{char.ToUpperInvariant(name[0])}{name[1..]} first (one reboot now, about {reboot} s of failed writes; then Blue/Green)",
            ExtraReboot = true,
            BlockedBy = firstBlocks,
            ForecastSeconds = firstBlocks.Count > 0 ? null : total.TotalSeconds,
            Forecast = firstBlocks.Count > 0 ? null
                : $"about {DressRehearsalRecord.Text(total)} in two windows: the writer reboot (about {reboot} s, estimated; "
                    + $"it can be done in an earlier, shorter window) + {switchoverText}",
            Steps = [$"PrepareBlueGreenParameters --{ArgumentNames.FixParameterGroup} (copies the parameter group with {parameter} set, reboots the writer)", .. blueGreen.Steps],
            Cost = blueGreen.Cost + (string.Equals(parameter, "binlog_format", StringComparison.Ordinal)
                ? " Binary logging adds write I/O (VolumeWriteIOPs) for as long as it stays on."
                : " Logical replication keeps WAL until green has read it."),
            NeedsFromOperator = $"A short window for the writer reboot: {fix}; then what Blue/Green needs.",
        };
    }

    /// <summary>Which way would be shorter with an extra reboot than the one chosen, in words; null when none is.</summary>
    public static string? ShorterThanChosen(IReadOnlyList<WayOut> ways)
    {
        ArgumentNullException.ThrowIfNull(ways);
        var chosen = ways.FirstOrDefault(w => w.Chosen);
        var shorter = ways.FirstOrDefault(w => w.ExtraReboot && !w.Blocked);
        return shorter is not null && (chosen?.ForecastSeconds is null || shorter.ForecastSeconds < chosen.ForecastSeconds)
            ? $"Shorter with one extra reboot: {shorter.Title}, forecast {shorter.Forecast}."
            : null;
    }

    public static string ToMarkdown(IReadOnlyList<WayOut> ways)
    {
        ArgumentNullException.ThrowIfNull(ways);
        var md = new StringBuilder();
        md.AppendLine("### Ways out, ranked by forecast write outage");
        md.AppendLine();
        md.AppendLine("| Rank | Way | Forecast write outage | Steps | Cost | Needs from the operator |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var way in ways)
        {
            var rank = way.Rank is { } r ? r.ToString(CultureInfo.InvariantCulture) : "blocked";
            var forecast = way.Blocked ? "⛔ blocked: " + string.Join(" ", way.BlockedBy) : way.Forecast!;
            var title = way.Title + (way.Chosen ? " (chosen)" : string.Empty);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {rank} | {Cell(title)} | {Cell(forecast)} | {Cell(string.Join(" → ", way.Steps))} | {Cell(way.Cost)} | {Cell(way.NeedsFromOperator)} |");
        }

        if (ShorterThanChosen(ways) is { } shorter)
        {
            md.AppendLine();
            md.AppendLine(shorter);
        }

        return md.ToString();

        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
    }
}
