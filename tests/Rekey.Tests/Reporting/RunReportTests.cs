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
        Assert.Contains("Verify: 2 checks passed, 1 problems.", markdown, StringComparison.Ordinal);
        Assert.Contains("- ❌ Port differs: 3307 then 3306", markdown, StringComparison.Ordinal);
        Assert.Contains("<details><summary>What the steps did</summary>", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_of_a_failed_run_quotes_the_error_on_one_line()
    {
        var markdown = (Report() with { Succeeded = false, Error = "The restore ended in state failed.\nRun Rollback." }).ToMarkdown();

        Assert.Contains("— failed", markdown, StringComparison.Ordinal);
        Assert.Contains("> **Error:** The restore ended in state failed. Run Rollback.", markdown, StringComparison.Ordinal);
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
