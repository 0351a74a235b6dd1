using Rekey.SandboxRehearsal;

namespace Rekey.Tests.SandboxRehearsal;

public sealed class WriteAuditTests
{
    private const string Old = "cluster-OLD";
    private const string New = "cluster-NEW";
    private static readonly DateTimeOffset T1 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static SandboxWrite Acked(string key, string resource, TimeSpan fromT1) =>
        new("c-1", key, "v-" + key, T1 + fromT1, true, resource, resource == Old ? "orders-old" : "orders", 1, null);

    private static ClusterWriteRecord InNew(string key) => new(1, T1, key, "v-" + key, null);

    [Fact]
    public void Every_write_acked_by_the_old_cluster_before_T1_and_found_in_the_new_one_passes()
    {
        var audit = WriteAudit.Of(
            "orders",
            [Acked("a", Old, TimeSpan.FromSeconds(-30)), Acked("b", Old, TimeSpan.Zero), Acked("c", New, TimeSpan.FromMinutes(40))],
            Old,
            T1,
            [InNew("a"), InNew("b"), InNew("c")]);

        Assert.True(audit.Passed);
        Assert.Equal((3, 2, 1), (audit.Acknowledged, audit.AcknowledgedByOldBeforeT1, audit.AcknowledgedByNew));
    }

    [Fact]
    public void A_write_acked_before_T1_but_missing_from_the_new_cluster_is_lost()
    {
        var audit = WriteAudit.Of("orders", [Acked("a", Old, TimeSpan.FromSeconds(-30)), Acked("b", Old, TimeSpan.FromSeconds(-1))], Old, T1, [InNew("a")]);

        Assert.False(audit.Passed);
        Assert.Equal(["b"], audit.LostBeforeT1);
        Assert.Empty(audit.OldAfterT1);
    }

    [Fact]
    public void A_write_found_under_the_same_key_with_another_value_is_still_lost()
    {
        var audit = WriteAudit.Of("orders", [Acked("a", Old, TimeSpan.FromSeconds(-5))], Old, T1, [new ClusterWriteRecord(1, T1, "a", "other", null)]);

        Assert.Equal(["a"], audit.LostBeforeT1);
    }

    [Fact]
    public void A_write_acked_by_the_old_cluster_after_T1_fails_the_audit_even_if_nothing_is_lost()
    {
        var audit = WriteAudit.Of("orders", [Acked("late", Old, TimeSpan.FromMilliseconds(1))], Old, T1, [InNew("late")]);

        Assert.False(audit.Passed);
        Assert.Equal(["late"], audit.OldAfterT1);
        Assert.Empty(audit.LostBeforeT1);
    }

    [Fact]
    public void The_outage_window_is_the_longest_gap_between_acknowledged_writes_around_the_switchover()
    {
        SandboxWrite[] writes =
        [
            Acked("a", Old, TimeSpan.FromSeconds(-300)), Acked("b", Old, TimeSpan.FromSeconds(-200)),
            Acked("c", Old, TimeSpan.FromSeconds(-2)), Acked("d", New, TimeSpan.FromSeconds(25)), Acked("e", New, TimeSpan.FromSeconds(26)),
        ];

        // The longer gap that ended before the switchover was asked for is not the outage; the 27 s one across it is.
        var window = WriteAudit.LongestGap(writes, T1.AddSeconds(-1), T1.AddSeconds(30));

        Assert.Equal((T1.AddSeconds(-2), T1.AddSeconds(25)), window);
        Assert.Null(WriteAudit.LongestGap([Acked("a", Old, TimeSpan.Zero)], T1, T1));
    }
}
