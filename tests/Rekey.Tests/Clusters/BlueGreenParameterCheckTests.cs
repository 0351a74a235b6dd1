using Rekey.Clusters;
using Rekey.Migration;

namespace Rekey.Tests.Clusters;

public sealed class BlueGreenParameterCheckTests
{
    private static BlueGreenParameterCheck Check(string engine, string group, string? value, string? writerStatus = "in-sync") =>
        new("orders", BlueGreenParameterNeed.For(engine)!, group, value is null ? null : new ParameterReading(group, "x", value, "user", "static"), "orders-1", writerStatus);

    [Theory]
    [InlineData("aurora-mysql", "ROW", true)]
    [InlineData("aurora-mysql", "MIXED", true)]
    [InlineData("aurora-mysql", "OFF", false)]
    [InlineData("aurora-mysql", null, false)]
    [InlineData("aurora-postgresql", "1", true)]
    [InlineData("aurora-postgresql", "0", false)]
    public void Binary_logging_in_any_format_and_logical_replication_1_meet_the_need(string engine, string? value, bool met) =>
        Assert.Equal(met, BlueGreenParameterNeed.For(engine)!.IsMetBy(value));

    [Fact]
    public void An_engine_without_known_needs_has_none() => Assert.Null(BlueGreenParameterNeed.For("postgres"));

    [Fact]
    public void A_default_group_an_unset_value_and_a_writer_pending_reboot_are_each_named()
    {
        var check = Check("aurora-mysql", "default.aurora-mysql8.0", "OFF", "pending-reboot");

        var blockers = check.Blockers();

        Assert.False(check.IsReady);
        Assert.Equal(3, blockers.Count);
        Assert.Contains(blockers, b => b.Contains("default cluster parameter group default.aurora-mysql8.0", StringComparison.Ordinal));
        Assert.Contains(blockers, b => b.Contains("binlog_format=OFF", StringComparison.Ordinal));
        Assert.Contains(blockers, b => b.Contains("pending-reboot", StringComparison.Ordinal));
    }

    [Fact]
    public void A_ready_cluster_has_no_blockers_and_nothing_to_fix()
    {
        var check = Check("aurora-postgresql", "orders-cluster-pg16", "1");

        Assert.True(check.IsReady);
        Assert.Empty(check.Blockers());
        Assert.Null(PrepareBlueGreenParameters.Describe(check));
    }

    [Fact]
    public void The_fix_names_the_copy_the_setting_and_the_reboot_it_costs()
    {
        var fix = PrepareBlueGreenParameters.Describe(Check("aurora-mysql", "orders-params", "OFF"));

        Assert.NotNull(fix);
        Assert.Contains("rekey-orders-bluegreen", fix, StringComparison.Ordinal);
        Assert.Contains("binlog_format=ROW", fix, StringComparison.Ordinal);
        Assert.Contains("--fix-parameter-group", fix, StringComparison.Ordinal);
        Assert.Contains("writes fail", fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_reboot_is_left_when_the_group_is_right_but_the_writer_waits()
    {
        var fix = PrepareBlueGreenParameters.Describe(Check("aurora-postgresql", "orders-params", "1", "pending-reboot"));

        Assert.NotNull(fix);
        Assert.DoesNotContain("copy", fix, StringComparison.Ordinal);
        Assert.Contains("reboot the writer orders-1", fix, StringComparison.Ordinal);
    }
}
