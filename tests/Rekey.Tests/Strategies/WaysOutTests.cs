using Rekey.Configuration;
using Rekey.Forecast;
using Rekey.Migration;
using Rekey.Strategies;

namespace Rekey.Tests.Strategies;

/// <summary>Plan's ranking of the ways out by forecast write outage.</summary>
public sealed class WaysOutTests
{
    private static readonly IReadOnlySet<string> HostArguments = new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase);

    private static readonly RekeySettings Settings = SettingsReader.Read(
        new Dictionary<string, IReadOnlyList<string?>>(StringComparer.OrdinalIgnoreCase) { ["cluster"] = ["inventory"] },
        _ => null,
        HostArguments);

    private const string BinlogOff = "Cluster parameter group inventory-cluster-mysql80 has binlog_format=OFF; Blue/Green needs binary logging (binlog_format=ROW).";

    private static readonly DressRehearsalRecord Rehearsal = new(
        "dress-1", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(24), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), "db.r6g.large");

    private static PreflightReport Report(BlueGreenVerdict verdict, CutoverStrategy strategy, IReadOnlyList<string>? swapOnly = null, IReadOnlyList<string>? common = null) => new()
    {
        ClusterId = "inventory",
        BlueGreen = verdict,
        Strategy = strategy,
        RestoreSwapOnlyBlocks = swapOnly ?? [],
        CommonBlocks = common ?? [],
    };

    [Fact]
    public void With_binary_logging_off_the_binlog_first_way_ranks_above_restore_swap_and_Blue_Green_is_blocked_with_no_forecast()
    {
        var verdict = new BlueGreenVerdict { Blockers = [BinlogOff], ParameterBlockers = [BinlogOff], MissingParameter = "binlog_format" };
        var (strategy, reason) = BlueGreenEligibility.Choose(CutoverStrategy.Auto, verdict);

        var ways = WaysOut.Rank("inventory", Report(verdict, strategy), Rehearsal, Settings);

        Assert.Equal(CutoverStrategy.RestoreSwap, strategy);
        Assert.Contains("Shorter with one reboot: enable binary logging (binlog_format=ROW) first", reason, StringComparison.Ordinal);
        Assert.Equal(["parameter-first", "restore-swap", "blue-green"], ways.Select(w => w.Name));
        Assert.Equal(("parameter-first", 1, 120.0), (ways[0].Name, ways[0].Rank, ways[0].ForecastSeconds));
        Assert.Contains("Enable binary logging (binlog_format=ROW) first (one reboot now, about 60 s of failed writes; then Blue/Green)", ways[0].Title, StringComparison.Ordinal);
        Assert.Equal((2, Rehearsal.RestoreSwapOutage.TotalSeconds, true), (ways[1].Rank, ways[1].ForecastSeconds, ways[1].Chosen));
        Assert.Contains("measured by the dress rehearsal", ways[1].Forecast, StringComparison.Ordinal);
        Assert.Equal((null, null, null), (ways[2].Rank, ways[2].ForecastSeconds, ways[2].Forecast));
        Assert.Equal([BinlogOff], ways[2].BlockedBy);
        Assert.Contains("Shorter with one extra reboot", WaysOut.ShorterThanChosen(ways), StringComparison.Ordinal);
        Assert.Contains("| blocked |", WaysOut.ToMarkdown(ways), StringComparison.Ordinal);
    }

    [Fact]
    public void A_Blue_Green_blocker_the_parameter_fix_does_not_remove_blocks_the_parameter_first_way_too()
    {
        const string secret = "orders keeps its master password in Secrets Manager.";
        var verdict = new BlueGreenVerdict { Blockers = [BinlogOff, secret], ParameterBlockers = [BinlogOff], MissingParameter = "binlog_format" };

        var ways = WaysOut.Rank("inventory", Report(verdict, CutoverStrategy.RestoreSwap), rehearsal: null, Settings);

        var first = Assert.Single(ways, w => w.Name == "parameter-first");
        Assert.Equal([secret], first.BlockedBy);
        Assert.Null(first.ForecastSeconds);
        Assert.Equal(("restore-swap", 1), (ways[0].Name, ways[0].Rank));
        Assert.Contains("the restore, which is not measured", ways[0].Forecast, StringComparison.Ordinal);
        Assert.Null(WaysOut.ShorterThanChosen(ways));
    }

    [Fact]
    public void For_an_unencrypted_cluster_auto_chooses_Blue_Green_and_restore_swap_is_shown_blocked()
    {
        var verdict = new BlueGreenVerdict();
        var swapOnly = new[] { Preflight.UnencryptedRestoreSwapBlock("scratch") };
        var (strategy, _) = BlueGreenEligibility.Choose(CutoverStrategy.Auto, new BlueGreenVerdict { Blockers = [BinlogOff], ParameterBlockers = [BinlogOff], MissingParameter = "binlog_format" }, swapOnly);

        var ways = WaysOut.Rank("scratch", Report(verdict, CutoverStrategy.BlueGreen, swapOnly), rehearsal: null, Settings);

        Assert.Equal(CutoverStrategy.BlueGreen, strategy);
        Assert.Equal(["blue-green", "restore-swap"], ways.Select(w => w.Name));
        Assert.True(ways[0].Chosen);
        Assert.Equal(1, ways[0].Rank);
        Assert.Null(ways[1].Forecast);
        Assert.Contains("rejects a key for an unencrypted source", Assert.Single(ways[1].BlockedBy), StringComparison.Ordinal);
    }
}
