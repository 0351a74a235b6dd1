using Rekey.Build.SandboxRehearsal;

namespace Rekey.Build.Tests.SandboxRehearsal;

public sealed class OutageBreakdownTests
{
    private static readonly DateTimeOffset Fenced = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static AwsOperation Op(string name, double fromSeconds, double toSeconds) =>
        new(name, Fenced.AddSeconds(fromSeconds), Fenced.AddSeconds(toSeconds));

    private static OutageBreakdown Breakdown(double outageSeconds, params AwsOperation[] operations) => new()
    {
        Cluster = "orders",
        OutageStart = Fenced,
        OutageEnd = Fenced.AddSeconds(outageSeconds),
        Operations = operations,
    };

    [Fact]
    public void Overlapping_operations_count_once_and_the_rest_of_the_outage_is_overhead()
    {
        var breakdown = Breakdown(1000, Op("Rename", 0, 60), Op("Instance renames", 30, 100), Op("Restore", 400, 900));

        Assert.Equal(TimeSpan.FromSeconds(600), breakdown.AwsTime);
        Assert.Equal(TimeSpan.FromSeconds(400), breakdown.Overhead);
        Assert.Equal(400.0 / 600.0, breakdown.OverheadRatio, 9);
    }

    [Fact]
    public void Operations_reaching_outside_the_outage_count_only_inside_it()
    {
        var breakdown = Breakdown(100, Op("Started before the fence", -50, 20), Op("Ended after the writer", 90, 400));

        Assert.Equal(TimeSpan.FromSeconds(30), breakdown.AwsTime);
        Assert.Equal(TimeSpan.FromSeconds(70), breakdown.Overhead);
    }

    [Fact]
    public void With_no_AWS_operation_the_ratio_is_not_a_number()
    {
        var breakdown = Breakdown(100);

        Assert.Equal(TimeSpan.Zero, breakdown.AwsTime);
        Assert.True(double.IsNaN(breakdown.OverheadRatio));
    }

    [Fact]
    public void A_Blue_Green_gap_beyond_the_switchover_is_the_applications_not_Rekeys()
    {
        var breakdown = Breakdown(30, Op("Switchover", 2, 28)) with { Strategy = "blue-green" };

        Assert.Equal(TimeSpan.FromSeconds(26), breakdown.AwsTime);
        Assert.Equal(TimeSpan.FromSeconds(4), breakdown.Application);
        Assert.Equal(TimeSpan.Zero, breakdown.Overhead);
    }

    [Fact]
    public void A_restore_swap_gap_beyond_AWS_operations_is_Rekeys()
    {
        var breakdown = Breakdown(30, Op("Restore", 2, 28));

        Assert.Equal(TimeSpan.Zero, breakdown.Application);
        Assert.Equal(TimeSpan.FromSeconds(4), breakdown.Overhead);
    }
}

public sealed class BenchmarkTargetTests
{
    private static Rekey.Build.Tasks.BenchmarkRun Run(string strategy, double outage, double? ratio) =>
        new(1, "orders", strategy, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(outage), outage, new Dictionary<string, double>(), outage, 0, 0, ratio, null);

    [Fact]
    public void The_targets_are_met_when_every_run_is_within_them_and_name_the_worst_figure()
    {
        var lines = Rekey.Build.Tasks.BenchmarkTask.Targets([Run("blue-green", 25.6, 0), Run("blue-green", 41.0, 0), Run("restore-swap", 2260, 0.007)]);

        Assert.Contains("Target: Blue/Green write outage under 60 s of AWS time: met (longest 41.0 s in 2 run(s)).", lines);
        Assert.Contains(lines, l => l.StartsWith("Target: Rekey's share of the restore-swap outage at most 1", StringComparison.Ordinal) && l.Contains(": met (at most 0.7", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_beyond_a_target_is_reported_as_missed()
    {
        var lines = Rekey.Build.Tasks.BenchmarkTask.Targets([Run("blue-green", 61.0, 0), Run("restore-swap", 2260, 0.015)]);

        Assert.Contains("Target: Blue/Green write outage under 60 s of AWS time: MISSED (longest 61.0 s in 1 run(s)).", lines);
        Assert.Contains(lines, l => l.Contains("restore-swap", StringComparison.Ordinal) && l.Contains("MISSED (at most 1.5", StringComparison.Ordinal));
    }

    [Fact]
    public void The_API_cost_targets_compare_each_cutover_s_RDS_calls_without_Preflight_s_reads()
    {
        var start = DateTimeOffset.UnixEpoch;
        Sandbox.Core.CallRecord Call(string operation, int atMilliseconds, string? error = null) =>
            new(start.AddMilliseconds(atMilliseconds), "111111111111", "us-east-1", "rds", operation, false, "r", error);
        var preflight = new[] { Call("DescribeDBClusters", 0), Call("DescribeDBInstances", 100) };
        var cutover = new List<Sandbox.Core.CallRecord> { Call("DescribeDBClusters", 10_000), Call("DescribeDBInstances", 10_100) };
        cutover.AddRange(Enumerable.Range(0, 160).Select(i => Call("DescribeDBClusters", 20_000 + (i * 100), i == 0 ? "Throttling" : null)));
        var cost = Rekey.Build.SandboxRehearsal.ApiCost.Of(cutover, preflight);

        var lines = Rekey.Build.Tasks.BenchmarkTask.Targets([Run("restore-swap", 2260, 0.005) with { Api = cost }, Run("blue-green", 20, 0) with { Api = Rekey.Build.SandboxRehearsal.ApiCost.Of(cutover.Take(50).ToList(), preflight) }]);

        Assert.Equal(160, cost.Calls);
        Assert.Equal(162, cost.CallsWithPreflight);
        Assert.Equal(2, cost.PreflightCalls);
        Assert.Equal(1, cost.Throttled);
        Assert.Equal(1, cost.Retried);
        Assert.Equal(10, cost.PeakPerSecond);
        Assert.Contains("Target: at most 150 RDS calls per restore-swap cutover, Preflight's reads left out: MISSED (at most 160 in 1 run(s); 1 throttled).", lines);
        Assert.Contains("Target: at most 100 RDS calls per blue-green cutover, Preflight's reads left out: met (at most 48 in 1 run(s); 1 throttled).", lines);
    }

    [Fact]
    public void Each_call_counts_for_the_step_that_started_last_by_the_whole_second_of_AWS_s_Date()
    {
        var start = DateTimeOffset.UnixEpoch;
        Sandbox.Core.CallRecord Call(string operation, int atMilliseconds, string service = "rds") =>
            new(start.AddMilliseconds(atMilliseconds), "111111111111", "us-east-1", service, operation, false, "r", null);
        var calls = new[]
        {
            Call("DescribeDBClusters", 200),
            Call("DescribeDBClusters", 1_900),
            Call("GetCallerIdentity", 2_100, "sts"),
            Call("DescribeDBInstances", 2_500),
            Call("ModifyDBCluster", 3_000),
            Call("DescribeDBClusters", 9_999),
        };

        // Dates are whole seconds: Fence's first answer said 00:00:02, so the call at 1.9 s is Preflight's and 2.5 s Fence's.
        var steps = Rekey.Build.SandboxRehearsal.ApiCost.ByStep(calls, [new("Fence", start.AddSeconds(2)), new("Preflight", start)]);

        Assert.Equal(["Preflight", "Fence"], steps.Select(s => s.Step));
        Assert.Equal(2, steps[0].Calls);
        Assert.Equal(3, steps[1].Calls);
        Assert.Equal("DescribeDBClusters 1, DescribeDBInstances 1, ModifyDBCluster 1", Rekey.Build.SandboxRehearsal.ApiCost.Operations(steps[1].ByOperation));
    }
}
