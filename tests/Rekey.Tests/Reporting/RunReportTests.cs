using System.Text.Json;
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
        Steps = [new StepOutcome("Fence", "succeeded", 312.44), new StepOutcome("Finalize", "skipped", 0, "the cluster already uses the requested key")],
        AwsTimes = new Dictionary<string, DateTimeOffset> { ["writer-available"] = Fenced.AddMinutes(38), ["fenced"] = Fenced, ["t1"] = Fenced.AddMinutes(3) },
        OutageSeconds = 38 * 60 + 5,
        Verification = new VerifyResult { ClusterId = "orders", Checked = ["key", "endpoints"], Problems = ["Port differs: 3307 then 3306"] },
        Warnings = ["DatabaseConnections on orders-1-old was 2 after the fence."],
        Log = ["Fence: renamed orders to orders-old"],
    };

    [Fact]
    public void Markdown_has_the_run_the_steps_the_times_on_AWSs_clock_in_order_and_the_outage()
    {
        var markdown = Report().ToMarkdown();

        Assert.Contains("## Rekey Cutover: `orders` — succeeded", markdown, StringComparison.Ordinal);
        Assert.Contains("Run `123456` in eu-west-1, environment production ([run](https://github.com/acme/db/actions/runs/123456)).", markdown, StringComparison.Ordinal);
        Assert.Contains("| Fence | succeeded | 312.4 s |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Finalize | skipped (the cluster already uses the requested key) | 0.0 s |", markdown, StringComparison.Ordinal);
        var fenced = markdown.IndexOf("- fenced: 2026-11-28T10:00:00Z", StringComparison.Ordinal);
        var t1 = markdown.IndexOf("- t1: 2026-11-28T10:03:00Z", StringComparison.Ordinal);
        var writer = markdown.IndexOf("- writer-available: 2026-11-28T10:38:00Z", StringComparison.Ordinal);
        Assert.True(fenced >= 0 && fenced < t1 && t1 < writer, markdown);
        Assert.Contains("- **write outage: 00:38:05**", markdown, StringComparison.Ordinal);
        Assert.Contains("Verify: 2 checks passed, 1 problem.", markdown, StringComparison.Ordinal);
        Assert.Contains("**Cutover of `orders` succeeded, 1 step done, 1 skipped, write outage 00:38:05, 1 problem, 1 warning**", markdown, StringComparison.Ordinal);
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
        Assert.Equal(["Step", "Status", "Duration"], steps[0]);
        Assert.Equal(["Finalize", "failed (Finalize could not set a sequence:) (in full below)", "0.4 s"], steps[2]);
        Assert.Equal(["Verify", "skipped (after a | failure)", "0.0 s"], steps[3]);
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
