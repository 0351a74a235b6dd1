using Amazon.Runtime;
using Rekey.Checks;

namespace Rekey.Tests.Checks;

public sealed class PreflightChecksTests
{
    private static AmazonServiceException Refused(string code) => new("User: arn:aws:sts::111111111111:assumed-role/rekey/run is not authorized") { ErrorCode = code };

    [Fact]
    public async Task A_read_AWS_refuses_is_not_measured_never_passed_and_an_essential_one_blocks_naming_where_to_look()
    {
        var checks = new PreflightChecks();
        var blocks = new List<string>();

        await checks.RunAsync("no zero-ETL integration has ledger as its source", blocks, () => throw Refused("AccessDenied"), "aws rds describe-integrations");

        var item = Assert.Single(checks.Items.Items);
        Assert.Equal(CheckOutcome.NotMeasured, item.Outcome);
        Assert.True(item.Essential);
        Assert.Contains("AccessDenied", item.Detail, StringComparison.Ordinal);
        Assert.Equal("aws rds describe-integrations", item.LookInstead);
        Assert.Empty(checks.Items.Passed);
        Assert.False(checks.Items.AllPassed);
        var block = Assert.Single(blocks);
        Assert.StartsWith("Not measured: no zero-ETL integration has ledger as its source", block, StringComparison.Ordinal);
        Assert.Contains("aws rds describe-integrations", block, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_supplementary_read_AWS_refuses_is_listed_as_not_measured_and_adds_no_warning_or_block()
    {
        var checks = new PreflightChecks();
        var warnings = new List<string>();

        await checks.RunAsync("RDS Proxy targets naming ledger are known", warnings, () => throw Refused("AccessDeniedException"), "aws rds describe-db-proxy-targets", essential: false);

        Assert.Empty(warnings);
        var item = Assert.Single(checks.Items.NotMeasured);
        Assert.False(item.Essential);
        Assert.True(checks.Items.AllPassed);
    }

    [Fact]
    public async Task A_check_that_finds_problems_fails_once_per_problem_and_one_that_finds_none_passes()
    {
        var checks = new PreflightChecks();
        var blocks = new List<string> { "an earlier block" };

        await checks.RunAsync("no global cluster", blocks, () => { blocks.Add("member of global cluster g1"); return Task.CompletedTask; }, "describe-global-clusters");
        await checks.RunAsync("nothing pending", blocks, () => Task.CompletedTask, "describe-db-clusters");

        Assert.Equal(["member of global cluster g1"], checks.Items.Failed);
        Assert.Equal(["nothing pending"], checks.Items.Passed);
    }

    [Fact]
    public async Task Warnings_found_by_a_supplementary_check_are_no_failure()
    {
        var checks = new PreflightChecks();
        var warnings = new List<string>();

        await checks.RunAsync("dependents known", warnings, () => { warnings.Add("RDS Proxy p1 targets this cluster"); return Task.CompletedTask; }, "describe-db-proxies", essential: false);

        Assert.Equal(["dependents known"], checks.Items.Passed);
        Assert.Single(warnings);
    }

    [Fact]
    public async Task An_error_that_is_no_refusal_is_not_swallowed()
    {
        var checks = new PreflightChecks();

        await Assert.ThrowsAsync<AmazonServiceException>(() => checks.RunAsync("x", [], () => throw Refused("InternalFailure"), "y"));
        Assert.Empty(checks.Items.Items);
    }
}
