using Rekey.Checks;
using Rekey.Migration;

namespace Rekey.Tests.Checks;

public sealed class ChecklistTests
{
    [Fact]
    public void An_essential_check_not_measured_keeps_the_list_from_passing_and_is_named_with_its_reason_and_where_to_look()
    {
        var checks = new Checklist();
        checks.Pass("cluster endpoint kept");
        checks.NotMeasuredBecause("no commit on the old cluster after T1", "CloudWatch has no data point after T1.", "CommitThroughput in the console");

        Assert.False(checks.AllPassed);
        Assert.Equal(["cluster endpoint kept"], checks.Passed);
        Assert.Empty(checks.Failed);
        var blocking = Assert.Single(checks.Blocking);
        Assert.Equal("not measured: no commit on the old cluster after T1: CloudWatch has no data point after T1. Look instead at: CommitThroughput in the console", blocking);
        Assert.Equal("1 passed, 0 failed, 1 not measured", checks.Summary());
    }

    [Fact]
    public void A_supplementary_check_not_measured_lets_the_list_pass_but_is_listed_as_not_measured_never_as_passed()
    {
        var checks = new Checklist();
        checks.Pass("key");
        checks.NotMeasuredBecause("no commit on the old blue", "no whole minute yet.", "CommitThroughput later", essential: false);

        Assert.True(checks.AllPassed);
        Assert.Equal(["key"], checks.Passed);
        Assert.Empty(checks.Blocking);
        Assert.Equal("no commit on the old blue", Assert.Single(checks.NotMeasured).What);
    }

    [Fact]
    public void A_failed_check_says_the_problem_and_a_verification_error_lists_failures_and_unmeasured_checks()
    {
        var checks = new Checklist();
        checks.Check(false, "storage key k1", "the storage key is k2, not k1");
        checks.NotMeasuredBecause("lag", "no data.", "the console");

        var error = new VerificationFailedException("Verify stopped:", checks);

        Assert.Equal(["the storage key is k2, not k1", "not measured: lag: no data. Look instead at: the console"], error.Problems);
        Assert.Contains("  - the storage key is k2, not k1", error.Message, StringComparison.Ordinal);
    }
}
