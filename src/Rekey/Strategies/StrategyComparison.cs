using Rekey.Configuration;
using Rekey.Migration;
using Rekey.Reporting;

namespace Rekey.Strategies;

/// <summary>One strategy as Plan shows it next to the other.</summary>
public sealed record StrategyPlan
{
    public required string Name { get; init; }

    public bool Chosen { get; init; }

    public required IReadOnlyList<string> Steps { get; init; }

    public required string Outage { get; init; }

    public required IReadOnlyList<string> Rollback { get; init; }

    public IReadOnlyList<string> BlockedBy { get; init; } = [];

    /// <summary>Blockers Rekey can fix, with their cost (e.g. the parameter group copy and writer reboot).</summary>
    public IReadOnlyList<string> Fixes { get; init; } = [];
}

/// <summary>Both strategies for one cluster, side by side: steps, expected outage, rollback story, what blocks each.</summary>
public static class StrategyComparison
{
    public static IReadOnlyList<StrategyPlan> Build(string clusterId, PreflightReport preflight, int instances, int customEndpoints, RekeySettings settings)
    {
        ArgumentNullException.ThrowIfNull(preflight);
        ArgumentNullException.ThrowIfNull(settings);
        var old = clusterId + settings.OldSuffix;
        var restoreSwap = new StrategyPlan
        {
            Name = CutoverStrategy.RestoreSwap.Name(),
            Chosen = preflight.Strategy == CutoverStrategy.RestoreSwap,
            Steps =
            [
                "PrepareKey", $"Fence (rename to {old}, DNS, T1)", "Restore (point in time at T1, new key)", $"CreateInstances ({instances})", "Finalize", "Verify", "Backup",
            ],
            Outage = preflight.RestoreSwapOnlyBlocks.Count > 0
                ? "Blocked (see below), so no forecast."
                : "From the rename to the new writer answering: rename and DNS + restorable lag (about 5 min) + the restore (grows with the cluster) + the writer (about 10 min); "
                    + "tens of minutes to hours.",
            Rollback =
            [
                $"Until Cleanup: Rollback deletes the new cluster (final snapshot if it took writes) and renames {old} back.",
            ],
            BlockedBy = preflight.RestoreSwapBlocks,
        };
        var verdict = preflight.BlueGreen;
        var blueGreen = new StrategyPlan
        {
            Name = CutoverStrategy.BlueGreen.Name(),
            Chosen = preflight.Strategy == CutoverStrategy.BlueGreen,
            Steps =
            [
                "PrepareKey", "CreateBlueGreen (green on the new key)", "WaitForGreen (AVAILABLE)", "VerifyGreen (key, replication lag)",
                "approval (the workflow's environment gate)", $"Switchover (timeout {settings.SwitchoverTimeout.TotalSeconds:0} s)",
                $"VerifyBlueGreen (names, DNS, key, instances; {customEndpoints} custom endpoints re-created; sequences on Aurora PostgreSQL)", "Backup",
            ],
            Outage = verdict is { Eligible: false }
                ? "Blocked (see below), so no forecast."
                : "Only the switchover: writes are refused on both sides while green catches up and takes blue's names; typically under a minute. Provisioning green (a full copy on the new key) "
                    + "takes longer but costs no outage.",
            Rollback =
            [
                "Before the switchover: Rollback deletes the deployment with its green cluster; blue never changed.",
                $"A failed or timed-out switchover: AWS rolls it back within --switchover-timeout; blue keeps its names and writes; run Cutover again or Rollback.",
                $"After the switchover: the old blue ({BlueGreenDeployments.OldBlueId(clusterId)}) has none of the later writes; Rollback refuses and, with --{ArgumentNames.RestoreSwapBack}, "
                + "names the way back onto the old key (a restore-swap Cutover for a customer managed key; by hand for aws/rds).",
            ],
            BlockedBy = verdict?.Blockers ?? [],
            Fixes = verdict?.Fixes ?? [],
        };
        return [restoreSwap, blueGreen];
    }

    public static string ToMarkdown(IReadOnlyList<StrategyPlan> strategies, string? reason)
    {
        ArgumentNullException.ThrowIfNull(strategies);
        var md = new MarkdownWriter();
        md.Heading(3, "Strategies side by side");
        if (reason is not null)
        {
            md.Paragraph($"Chosen: **{MarkdownWriter.Text(strategies.FirstOrDefault(s => s.Chosen)?.Name ?? "none")}**. Why: {MarkdownWriter.Text(reason)}");
        }

        // Several lines of one cell are joined with <br>, which GitHub renders inside a table cell.
        md.Table(
            [string.Empty, .. strategies.Select(s => s.Chosen ? $"{s.Name} (chosen)" : s.Name)],
            [
                Row("Steps", s => MarkdownWriter.Text(string.Join(" → ", s.Steps))),
                Row("Expected write outage", s => MarkdownWriter.Text(s.Outage)),
                Row("Rollback", s => Lines(s.Rollback)),
                Row("Blocked by", s => s.BlockedBy.Count == 0 ? "nothing" : Lines(s.BlockedBy.Select(b => "⛔ " + b))),
                Row("Rekey can fix", s => s.Fixes.Count == 0 ? "—" : Lines(s.Fixes)),
            ]);
        return md.ToString();

        IReadOnlyList<Cell> Row(string title, Func<StrategyPlan, string> cell) =>
            [Cell.Text(title), .. strategies.Select(s => Cell.Authored(cell(s)))];

        static string Lines(IEnumerable<string> lines) => string.Join("<br>", lines.Select(MarkdownWriter.Text));
    }
}
