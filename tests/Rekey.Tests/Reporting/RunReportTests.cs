using System.Text.Json;
using Rekey.Checks;
using Rekey.Migration;
using Rekey.Reporting;

namespace Rekey.Tests.Reporting;

public sealed class RunReportTests
{
    private static readonly DateTimeOffset Fenced = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static RunReport Report() => new()
    {
        Target = "Cutover",
        Cluster = "orders",
        Region = "eu-west-1",
        Environment = "production",
        RunId = "123456",
        RunUrl = "https://github.com/acme/db/actions/runs/123456",
        Succeeded = true,
        Steps = [new StepOutcome("Fence", "succeeded", 312.44, StartedAt: Fenced.AddMinutes(-5), FinishedAt: Fenced.AddSeconds(7)), new StepOutcome("Finalize", "skipped", 0, "the cluster already uses the requested key")],
        StartedAt = Fenced.AddMinutes(-6),
        FinishedAt = Fenced.AddMinutes(39),
        AwsTimes = new Dictionary<string, DateTimeOffset> { ["writer-available"] = Fenced.AddMinutes(38), ["fenced"] = Fenced, ["t1"] = Fenced.AddMinutes(3) },
        OutageSeconds = 38 * 60 + 5,
        Verification = new VerifyResult { ClusterId = "orders", Checks = VerifyChecks() },
        Warnings = ["DatabaseConnections on orders-1-old was 2 after the fence."],
        Log = ["Fence: renamed orders to orders-old"],
    };

    private static Checklist VerifyChecks()
    {
        var checks = new Checklist();
        checks.Pass("key");
        checks.Pass("endpoints");
        checks.Fail("Port differs: 3307 then 3306");
        return checks;
    }

    private static Checklist WithoutCommitData()
    {
        var checks = VerifyChecks();
        checks.NotMeasuredBecause("no commit on the old cluster after T1", "CloudWatch has no data point after T1.", "the old cluster's pg_stat_database.xact_commit");
        return checks;
    }

    [Fact]
    public void Markdown_and_job_summary_list_each_check_not_measured_with_its_reason_and_where_to_look_instead()
    {
        var report = Report() with { Verification = new VerifyResult { ClusterId = "orders", Checks = WithoutCommitData() }, Checks = [new StepChecks("Verify", WithoutCommitData().Items)] };

        var markdown = report.ToMarkdown();

        Assert.Contains("Verify: 2 checks passed, 1 problem, 1 not measured.", markdown, StringComparison.Ordinal);
        Assert.Contains("- Verify: 2 passed, 1 failed, 1 not measured", markdown, StringComparison.Ordinal);
        Assert.Contains("**not measured**: no commit on the old cluster after T1. CloudWatch has no data point after T1. Look instead at: the old cluster's pg\\_stat\\_database.xact\\_commit", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_lists_checks_not_measured_apart_from_passed_ones_and_a_verification_with_one_does_not_pass()
    {
        var checks = new Checklist();
        checks.Pass("key");
        checks.NotMeasuredBecause("no commit on the old cluster after T1", "CloudWatch has no data point after T1.", "xact_commit");
        var report = Report() with { Verification = new VerifyResult { ClusterId = "orders", Checks = checks }, Checks = [new StepChecks("Verify", checks.Items)] };

        using var json = JsonDocument.Parse(report.ToJson());
        var verification = json.RootElement.GetProperty("verification");

        Assert.False(verification.GetProperty("passed").GetBoolean());
        Assert.Equal(["key"], verification.GetProperty("checked").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("CloudWatch has no data point after T1.", verification.GetProperty("notMeasured")[0].GetProperty("detail").GetString());
        Assert.False(verification.TryGetProperty("commitsOnOldClusterAfterT1", out _));
        var items = json.RootElement.GetProperty("checks")[0].GetProperty("items");
        Assert.Equal(["passed", "not-measured"], items.EnumerateArray().Select(i => i.GetProperty("outcome").GetString()));
        Assert.Equal("xact_commit", items[1].GetProperty("lookInstead").GetString());
    }

    [Fact]
    public void Markdown_shows_what_AWS_showed_at_the_end_and_names_another_key_than_the_runs()
    {
        var final = new FinalState { ClusterId = "orders", ExpectedKeyArn = "arn:aws:kms:eu-west-1:1:key/mine", KmsKeyArn = "arn:aws:kms:eu-west-1:1:key/theirs", Status = "available", ClusterEndpoint = "orders.cluster-x", LockHolder = "other-run" };

        var markdown = (Report() with { Final = final, Succeeded = false }).ToMarkdown();

        Assert.Contains("AWS shows, read at the end: `orders` available, on `arn:aws:kms:eu-west-1:1:key/theirs`, **not this run's key** `arn:aws:kms:eu-west-1:1:key/mine`", markdown, StringComparison.Ordinal);
        Assert.Contains("lock held by run `other-run`", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_has_the_run_the_steps_the_times_on_AWSs_clock_in_order_and_the_outage()
    {
        var markdown = Report().ToMarkdown();

        Assert.Contains("## Rekey Cutover: `orders` — succeeded", markdown, StringComparison.Ordinal);
        Assert.Contains("Run `123456` in eu-west-1, environment production ([run](https://github.com/acme/db/actions/runs/123456)), from 2026-11-28T09:54:00Z to 2026-11-28T10:39:00Z on AWS's clock.", markdown, StringComparison.Ordinal);
        Assert.Contains("| Fence | succeeded | 5 minutes, 12 seconds | 2026-11-28T09:55:00Z | 2026-11-28T10:00:07Z |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Finalize | skipped (the cluster already uses the requested key) | 0 milliseconds | not measured | not measured |", markdown, StringComparison.Ordinal);
        var fenced = markdown.IndexOf("- fenced: 2026-11-28T10:00:00Z", StringComparison.Ordinal);
        var t1 = markdown.IndexOf("- t1: 2026-11-28T10:03:00Z", StringComparison.Ordinal);
        var writer = markdown.IndexOf("- writer-available: 2026-11-28T10:38:00Z", StringComparison.Ordinal);
        Assert.True(fenced >= 0 && fenced < t1 && t1 < writer, markdown);
        Assert.Contains("- **write outage: 38 minutes, 5 seconds**", markdown, StringComparison.Ordinal);
        Assert.Contains("Verify: 2 checks passed, 1 problem, 0 not measured.", markdown, StringComparison.Ordinal);
        Assert.Contains("**Cutover of `orders` succeeded, 1 step done, 1 skipped, write outage 38 minutes, 5 seconds, 1 problem, 1 warning**", markdown, StringComparison.Ordinal);
        Assert.Contains("- ❌ Port differs: 3307 then 3306", markdown, StringComparison.Ordinal);
        Assert.Contains("<details><summary>What the steps did</summary>", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_of_a_failed_run_leads_with_where_and_why_it_failed_and_shows_the_whole_error_in_a_fenced_block()
    {
        var markdown = (Report() with { Succeeded = false, Error = "The restore ended in state failed.\nRun Rollback." }).ToMarkdown();

        Assert.Contains("— failed", markdown, StringComparison.Ordinal);
        Assert.Contains("**Cutover of `orders` failed: The restore ended in state failed.**", markdown, StringComparison.Ordinal);
        Assert.Contains("The restore ended in state failed.\nRun Rollback.", WholeMarkdown.FencedBlocks(markdown));
    }

    [Fact]
    public void A_failed_step_whose_message_holds_SQL_with_pipes_and_backticks_keeps_the_steps_table_whole_and_the_SQL_below_it()
    {
        const string sql = "SELECT setval('orders_id_seq', (SELECT max(id) FROM orders) || '')\n  -- `orders` | 0.4 s |\n```\nERROR: permission denied";
        var markdown = (Report() with
        {
            Succeeded = false,
            Error = "Finalize could not set a sequence:\n" + sql,
            Steps = [new StepOutcome("Fence", "succeeded", 1), new StepOutcome("Finalize", "failed", 0.4, "Finalize could not set a sequence:\n" + sql), new StepOutcome("Verify", "skipped", 0, "after a | failure")],
        }).ToMarkdown();

        var steps = WholeMarkdown.Check(markdown)[0];
        Assert.Equal(["Step", "Status", "Duration", "Started (AWS)", "Finished (AWS)"], steps[0]);
        Assert.Equal(["Finalize", "failed (Finalize could not set a sequence:) (in full below)", "400 milliseconds", "not measured", "not measured"], steps[2]);
        Assert.Equal(["Verify", "skipped (after a | failure)", "0 milliseconds", "not measured", "not measured"], steps[3]);
        Assert.Equal(["Finalize could not set a sequence:\n" + sql], WholeMarkdown.FencedBlocks(markdown));
        Assert.Contains("**Cutover of `orders` failed at Finalize: Finalize could not set a sequence:**", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_warning_is_written_once_though_Preflight_and_the_run_both_report_it_and_none_shown_above_is_repeated()
    {
        const string warning = "Automatic rotation is off for arn:aws:kms:eu-west-1:111111111111:key/k; consider turning it on.";
        var report = Report() with
        {
            Warnings = [warning, "DNS answered late | twice"],
            Preflight = new PreflightReport { ClusterId = "orders", Warnings = [warning] },
        };

        var markdown = report.ToMarkdown();
        WholeMarkdown.Check(markdown);
        Assert.Single(markdown.Split('\n'), l => l.Contains("Automatic rotation is off", StringComparison.Ordinal));
        Assert.Contains("- ⚠️ DNS answered late \\| twice", markdown, StringComparison.Ordinal);

        var below = report.ToMarkdown([warning]);
        Assert.DoesNotContain("Automatic rotation is off", below, StringComparison.Ordinal);
    }

    [Fact]
    public void The_checker_rejects_the_table_a_raw_multi_line_cell_breaks()
    {
        const string broken = "| Step | Status |\n| --- | --- |\n| Finalize | failed (SELECT a\n|| b) | 0.4 s |\n";

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => WholeMarkdown.Check(broken));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => WholeMarkdown.Check("text\n\n```sql\nSELECT 1\n"));
    }

    [Fact]
    public void A_long_steps_table_is_folded_and_stays_whole()
    {
        var markdown = (Report() with { Steps = [.. Enumerable.Range(1, 20).Select(i => new StepOutcome($"Step{i}", "succeeded", i))] }).ToMarkdown();

        Assert.Equal(21, WholeMarkdown.Check(markdown)[0].Count);
        Assert.Contains("<details><summary>Steps (20 rows)</summary>", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_round_trips_the_figures_and_leaves_out_what_is_missing()
    {
        using var json = JsonDocument.Parse((Report() with { Environment = null }).ToJson());
        var root = json.RootElement;

        Assert.Equal(2285, root.GetProperty("outageSeconds").GetDouble());
        Assert.Equal(Fenced, root.GetProperty("awsTimes").GetProperty("fenced").GetDateTimeOffset());
        Assert.Equal("skipped", root.GetProperty("steps")[1].GetProperty("status").GetString());
        Assert.False(root.TryGetProperty("environment", out _));
        Assert.False(root.GetProperty("verification").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void Json_carries_its_format_version_the_Rekey_that_wrote_it_the_actor_enums_as_text_and_quotes_unescaped()
    {
        var json = (Report() with
        {
            Actor = "octocat",
            Preflight = new PreflightReport { ClusterId = "orders", Strategy = Rekey.Configuration.CutoverStrategy.RestoreSwap, Warnings = ["The cluster's 'orders-pg' group is shared."] },
        }).ToJson();
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        Assert.Equal(RunReport.CurrentFormatVersion, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal(RekeyVersion.Current.Version, root.GetProperty("tool").GetProperty("version").GetString());
        Assert.Equal("octocat", root.GetProperty("actor").GetString());
        Assert.Equal("restore-swap", root.GetProperty("preflight").GetProperty("strategy").GetString());
        Assert.Contains("'orders-pg'", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_stamped_with_its_commit_is_split_into_version_and_commit()
    {
        Assert.Equal(new RekeyVersion("1.4.0", "3f2c1ab"), RekeyVersion.Parse("1.4.0+3f2c1ab"));
        Assert.Equal(new RekeyVersion("1.4.0", null), RekeyVersion.Parse("1.4.0"));
    }

    [Fact]
    public void WriteTo_writes_json_and_markdown_named_after_the_report_and_replaces_earlier_ones()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rekey-report-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Report().WriteTo(directory, "orders-report");
            var (json, markdown) = (Report() with { Succeeded = false }).WriteTo(directory, "orders-report");

            Assert.Equal(Path.Combine(directory, "orders-report.json"), json);
            Assert.False(JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("succeeded").GetBoolean());
            Assert.Contains("— failed", File.ReadAllText(markdown), StringComparison.Ordinal);
            Assert.Equal(["orders-report.json", "orders-report.md"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
