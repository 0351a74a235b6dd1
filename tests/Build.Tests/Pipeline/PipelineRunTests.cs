using System.Text.Json;
using Rekey.Runtime;
using Rekey.Sandbox.SNS;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>How the real host behaves around the steps: announcements on SNS, dry runs, the plan's files.</summary>
public sealed class PipelineRunTests(AnnouncedSandbox fixture) : IClassFixture<AnnouncedSandbox>
{
    [Fact]
    public async Task A_dry_run_of_the_cutover_needs_no_confirmation_reads_AWS_names_every_step_in_order_and_changes_nothing()
    {
        var (run, calls, mutating) = await fixture.RunAsync("--target=Cutover", "--cluster=orders", "--kms-key=alias/dry", "--create-key", "--dryrun");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("rds:DescribeDBClusters", calls);
        Assert.Empty(mutating);
        var output = System.Text.RegularExpressions.Regex.Replace(run.Output, @"\s+", " ");
        var position = output.IndexOf("Dry run of Cutover for orders", StringComparison.Ordinal);
        Assert.True(position >= 0, run.Output);
        foreach (var step in new[] { "Preflight", "PrepareKey", "Fence", "Restore", "CreateInstances", "Finalize", "Verify", "Cutover" })
        {
            var next = output.IndexOf($" {step}: ", position, StringComparison.Ordinal);
            Assert.True(next > position, $"{step} is not listed after the steps before it:{Environment.NewLine}{run.Output}");
            position = next;
        }
    }

    [Fact]
    public async Task Without_dry_run_the_cutover_refuses_to_start_without_confirmation()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Cutover", "--cluster=orders", "--kms-key=alias/dry", "--create-key");

        Assert.Equal(ExitCodes.InvalidArguments, run.ExitCode);
        Assert.Empty(mutating);
        Assert.Contains("--confirm=orders", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_step_run_alone_needs_no_confirmation_though_the_steps_before_it_change_AWS()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Verify", "--exclusive", "--cluster=orders");

        Assert.Empty(mutating);
        Assert.DoesNotContain("--confirm", run.Output, StringComparison.Ordinal);
        Assert.Contains("The new cluster orders does not exist", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changing_step_run_alone_still_needs_confirmation()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Fence", "--exclusive", "--cluster=orders", "--kms-key=alias/x");

        Assert.Equal(ExitCodes.InvalidArguments, run.ExitCode);
        Assert.Empty(mutating);
        Assert.Contains("Fence change AWS; nothing was done. Confirm by giving --confirm=orders", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_step_is_announced_on_SNS_when_it_starts_and_when_it_ends()
    {
        var (run, _, mutating) = await fixture.RunAsync(
            "--target=Plan", "--cluster=inventory", "--kms-key=alias/announced", "--create-key", $"--sns-topic-arn={fixture.TopicArn}", "--environment=staging");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(mutating);
        var messages = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn)
            .Where(m => m.MessageAttributes["cluster"].StringValue == "inventory")
            .ToList();
        Assert.Equal(
            ["Preflight started", "Preflight succeeded", "Plan started", "Plan succeeded"],
            messages.Select(m => $"{m.MessageAttributes["step"].StringValue} {m.MessageAttributes["status"].StringValue}"));
        Assert.All(messages, m => Assert.StartsWith("step.", m.MessageAttributes["event"].StringValue, StringComparison.Ordinal));

        var body = JsonDocument.Parse(messages[^1].Message).RootElement;
        Assert.Equal("Plan", body.GetProperty("step").GetString());
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Equal("staging", body.GetProperty("environment").GetString());
        Assert.True(body.GetProperty("durationSeconds").GetDouble() >= 0);
        Assert.Equal("Rekey Plan succeeded: inventory (staging)", messages[^1].Subject);
    }

    [Fact]
    public async Task A_dress_rehearsal_is_announced_with_its_measured_times_both_strategies_forecasts_and_its_cost()
    {
        var (run, _, _) = await fixture.RunAsync(
            "--target=DressRehearsal", "--cluster=orders", "--kms-key=alias/dress", "--create-key", "--confirm=orders", "--switchover-timeout=90", $"--sns-topic-arn={fixture.TopicArn}", "--heartbeat-interval=1m");

        Assert.True(run.ExitCode == 0, run.Output);

        // The copy's restore lasts minutes of the sandbox's clock: the topic heard how it went once a minute of AWS time.
        var heartbeats = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn)
            .Where(m => m.MessageAttributes["cluster"].StringValue == "orders" && m.MessageAttributes["status"].StringValue == "waiting")
            .Select(m => JsonDocument.Parse(m.Message).RootElement.GetProperty("details").GetString()!)
            .ToList();
        Assert.Contains(heartbeats, h => h.StartsWith("Waiting for ", StringComparison.Ordinal) && h.Contains("so far", StringComparison.Ordinal) && h.Contains("gives up at", StringComparison.Ordinal));

        var succeeded = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn)
            .Last(m => m.MessageAttributes["cluster"].StringValue == "orders" && m.MessageAttributes["step"].StringValue == "DressRehearsal");
        Assert.Equal("succeeded", succeeded.MessageAttributes["status"].StringValue);
        var facts = JsonDocument.Parse(succeeded.Message).RootElement.GetProperty("facts");
        static double Seconds(JsonElement facts, string name) => double.Parse(facts.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(Seconds(facts, "dress-restore-seconds") > 0, facts.ToString());
        Assert.True(Seconds(facts, "dress-writer-seconds") > 0, facts.ToString());
        // Each figure is rounded to the second on its own, so their sum may differ from the rounded total by up to two.
        var parts = Seconds(facts, "dress-restorable-lag-seconds") + Seconds(facts, "dress-restore-seconds") + Seconds(facts, "dress-writer-seconds") + 120; // rename and DNS, estimated at two minutes
        Assert.InRange(Seconds(facts, "forecast-restore-swap-seconds"), parts - 2, parts + 2);
        Assert.Equal("60", facts.GetProperty("forecast-blue-green-typical-seconds").GetString());
        Assert.Equal("90", facts.GetProperty("forecast-blue-green-at-most-seconds").GetString());
        Assert.Equal("db.r6g.large", facts.GetProperty("dress-instance-class").GetString());
        Assert.True(Seconds(facts, "dress-hours") > 0, facts.ToString());

        var tables = Rekey.Tests.Reporting.WholeMarkdown.Check(await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, "orders-dress-rehearsal.md")));
        Assert.Equal([["Operation", "Time"], ["Strategy", "Outage", "From"]], tables.Select(t => t[0]));
    }

    [Fact]
    public async Task A_failed_step_is_announced_as_failed_with_its_reason()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Preflight", "--cluster=orders", "--kms-key=alias/missing", $"--sns-topic-arn={fixture.TopicArn}");

        Assert.Equal(ExitCodes.RefusedByPreflight, run.ExitCode);
        Assert.Empty(mutating);
        var failed = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn)
            .Last(m => m.MessageAttributes["cluster"].StringValue == "orders");
        Assert.Equal("failed", failed.MessageAttributes["status"].StringValue);
        Assert.Contains("alias/missing does not exist", JsonDocument.Parse(failed.Message).RootElement.GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_topic_that_does_not_exist_is_a_warning_and_the_step_still_succeeds()
    {
        var (run, _, _) = await fixture.RunAsync(
            "--target=Preflight", "--cluster=orders", "--kms-key=alias/x", "--create-key", "--sns-topic-arn=arn:aws:sns:us-east-1:111111111111:no-such-topic");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Could not announce Preflight started", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_writes_Markdown_and_JSON_naming_the_old_names_and_how_each_setting_is_carried()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Plan", "--cluster=orders", "--kms-key=alias/planned", "--create-key");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(mutating);
        var markdown = await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, "orders-plan.md"));
        Assert.Contains("`orders-old`", markdown, StringComparison.Ordinal);
        Assert.Contains("`orders-1-old`", markdown, StringComparison.Ordinal);
        Assert.Contains("| cluster | DBClusterParameterGroup | `orders-cluster-pg16` | restore parameter |", markdown, StringComparison.Ordinal);
        Assert.Contains("| instance orders-3 | DBInstanceClass | `db.r6g.xlarge` | per-instance parameter |", markdown, StringComparison.Ordinal);
        Assert.Contains("re-created (Finalize)", markdown, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, "orders-plan.json")));
        Assert.Equal("orders", json.RootElement.GetProperty("cluster").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("names").GetArrayLength() - 1);
        Assert.Contains(
            json.RootElement.GetProperty("settings").EnumerateArray(),
            s => s.GetProperty("name").GetString() == "AssociatedRoles" && s.GetProperty("carriage").GetString() == "ModifiedAfter");
    }

    [Fact]
    public async Task Under_GitHub_Actions_Plan_fills_the_job_summary_with_the_plan_and_the_report_linking_the_run_and_leaves_a_notice()
    {
        var summary = Path.GetTempFileName();
        try
        {
            var environment = new Dictionary<string, string?>
            {
                ["GITHUB_ACTIONS"] = "true",
                ["GITHUB_STEP_SUMMARY"] = summary,
                ["GITHUB_SERVER_URL"] = "https://github.com",
                ["GITHUB_REPOSITORY"] = "acme/db",
                ["GITHUB_RUN_ID"] = "4242",
            };

            var (run, _, _) = await fixture.RunAsync(environment, "--target=Plan", "--cluster=orders", "--kms-key=alias/planned", "--create-key");

            Assert.True(run.ExitCode == 0, run.Output);
            var markdown = await File.ReadAllTextAsync(summary);
            Assert.Contains("`orders-old`", markdown, StringComparison.Ordinal);
            Assert.Contains("([run](https://github.com/acme/db/actions/runs/4242))", markdown, StringComparison.Ordinal);
            var lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            Assert.Contains("::group::Preflight", lines);
            Assert.Contains("::group::Plan", lines);
            Assert.Contains("::notice title=Plan of orders::Plan of orders succeeded.", lines);
        }
        finally
        {
            File.Delete(summary);
        }
    }
}
