using Rekey.Checks;
using Rekey.Forecast;

namespace Rekey.Tests.Checks;

public sealed class DressRehearsalMeasuresTests
{
    private static readonly DateTimeOffset Available = new(2026, 12, 7, 10, 30, 0, TimeSpan.Zero);

    [Fact]
    public void A_duration_with_AWSs_creation_time_is_passed_with_its_length()
    {
        var checks = new Checklist();

        var start = DressRehearsalMeasures.Start(checks, "the restore of orders-rekey-dress", "ClusterCreateTime", Available.AddMinutes(-12), Available, "events");

        Assert.Equal(Available.AddMinutes(-12), start);
        var item = Assert.Single(checks.Items);
        Assert.Equal(CheckOutcome.Passed, item.Outcome);
        Assert.Contains("ClusterCreateTime to available", item.Detail, StringComparison.Ordinal);
        Assert.True(checks.AllPassed);
    }

    [Fact]
    public void A_duration_without_AWSs_creation_time_is_not_measured_never_zero_and_keeps_the_rehearsal_from_passing()
    {
        var checks = new Checklist();

        DressRehearsalMeasures.Start(checks, "the writer orders-rekey-dress-1", "InstanceCreateTime", null, Available, "aws rds describe-events --source-type db-instance");

        var item = Assert.Single(checks.NotMeasured);
        Assert.True(item.Essential);
        Assert.Equal("how long the writer orders-rekey-dress-1 took", item.What);
        Assert.Contains("InstanceCreateTime", item.Detail, StringComparison.Ordinal);
        Assert.Equal("aws rds describe-events --source-type db-instance", item.LookInstead);
        Assert.Empty(checks.Passed);
        Assert.False(checks.AllPassed);
    }
}
