using System.Text.Json;
using Rekey.Runtime;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.SNS;
using Rekey.Tests.Reporting;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>What the real host writes to the job summary and the report files when a target fails, read as GitHub renders Markdown.</summary>
public sealed class JobSummaryTests(AnnouncedSandbox fixture) : IClassFixture<AnnouncedSandbox>
{
    [Fact]
    public async Task A_failed_Preflight_writes_a_summary_and_a_report_whose_tables_are_whole_and_that_lead_with_the_blocks()
    {
        var (run, summary) = await RunUnderGitHubActionsAsync("--target=Preflight", "--cluster=orders", "--kms-key=alias/missing");

        Assert.Equal(ExitCodes.RefusedByPreflight, run.ExitCode);
        foreach (var markdown in new[] { summary, await ReportAsync("orders-preflight-report.md") })
        {
            var steps = WholeMarkdown.Check(markdown)[0];
            Assert.Contains(steps, r => r[0] == "Preflight" && r[1].StartsWith("failed (Preflight of orders found 1 blocking problem", StringComparison.Ordinal));
            Assert.Contains("**Preflight of `orders` failed at Preflight: Preflight of orders found 1 blocking problem; nothing was changed:**", markdown, StringComparison.Ordinal);
            Assert.Contains(WholeMarkdown.FencedBlocks(markdown), b => b.Contains("alias/missing does not exist", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_report_gives_the_run_and_each_step_its_start_and_end_on_AWSs_clock()
    {
        // The sandbox's clock runs 600 times faster than the runner's: its HTTP Dates are far from the runner's time.
        fixture.Sandbox.Clock.Advance(TimeSpan.FromDays(3));
        var before = fixture.Sandbox.Clock.Now.AddSeconds(-1);
        var (run, summary) = await RunUnderGitHubActionsAsync("--target=Preflight", "--cluster=orders", "--kms-key=alias/missing");
        var after = fixture.Sandbox.Clock.Now.AddSeconds(1);

        Assert.Equal(ExitCodes.RefusedByPreflight, run.ExitCode);
        using var report = JsonDocument.Parse(await ReportAsync("orders-preflight-report.json"));
        var started = report.RootElement.GetProperty("startedAt").GetDateTimeOffset();
        var finished = report.RootElement.GetProperty("finishedAt").GetDateTimeOffset();
        Assert.InRange(started, before, finished);
        Assert.InRange(finished, started, after);
        Assert.True(started > DateTimeOffset.UtcNow.AddDays(2), $"{started:O} is the runner's clock, not AWS's");
        var step = report.RootElement.GetProperty("steps")[0];
        Assert.InRange(step.GetProperty("startedAt").GetDateTimeOffset(), started, finished);
        Assert.InRange(step.GetProperty("finishedAt").GetDateTimeOffset(), step.GetProperty("startedAt").GetDateTimeOffset(), finished);

        var steps = WholeMarkdown.Check(summary)[0];
        Assert.Equal(["Step", "Status", "Duration", "Started (AWS)", "Finished (AWS)"], steps[0]);
        Assert.Equal(step.GetProperty("startedAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), steps[1][3]);

        // The same times drawn as a gantt that GitHub renders.
        var chart = Assert.Single(WholeMarkdown.FencedBlocks(summary, "mermaid"));
        var bar = Assert.Single(Assert.Single(MermaidGantt.Check(chart)).Value);
        Assert.Equal(("Preflight", step.GetProperty("startedAt").GetDateTimeOffset().UtcDateTime), (bar.Name, bar.Start));
    }

    [Fact]
    public async Task A_skipped_step_says_why_in_the_report_and_the_summary()
    {
        // A cluster already on the key: the cutover's every step skips itself, saying so.
        var region = Amazon.RegionEndpoint.GetBySystemName(AnnouncedSandbox.Region);
        using (var kms = fixture.Aws.CreateKms(region))
        using (var rds = fixture.Aws.CreateRds(region))
        {
            var key = (await kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest())).KeyMetadata;
            await kms.CreateAliasAsync(new Amazon.KeyManagementService.Model.CreateAliasRequest { AliasName = "alias/already", TargetKeyId = key.KeyId });
            var request = Rekey.SandboxRehearsal.SampleAccount.ClusterRequest(Rekey.SandboxRehearsal.SampleAccount.Clusters[0]);
            request.DBClusterIdentifier = "already";
            request.DatabaseName = "already";
            request.StorageEncrypted = true;
            request.KmsKeyId = key.Arn;
            await rds.CreateDBClusterAsync(request);
        }

        var (run, summary) = await RunUnderGitHubActionsAsync("--target=Cutover", "--cluster=already", "--kms-key=alias/already", "--confirm=already");

        Assert.True(run.ExitCode == 0, run.Output);
        using var report = JsonDocument.Parse(await ReportAsync("already-cutover-report.json"));
        var skipped = report.RootElement.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "skipped").ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, s => Assert.Equal("the cluster already uses the requested key", s.GetProperty("details").GetString()));
        Assert.Contains(WholeMarkdown.Check(summary)[0], r => r[0] == "Fence" && r[1] == "skipped (the cluster already uses the requested key)");

        // The engine's task summary writes durations as the rest of the log does, not as 00:00:00.2703653.
        Assert.DoesNotMatch(@"\d\d:\d\d:\d\d\.\d{7}", run.Output);
        Assert.Matches(@"Total:\s+│?\s*\d+ (milliseconds?|seconds?)", run.Output);
    }

    [Fact]
    public async Task A_cutover_held_to_an_approved_plan_is_refused_before_any_change_once_the_cluster_changed_naming_the_difference()
    {
        var (plan, _, _) = await fixture.RunAsync("--target=Plan", "--cluster=inventory", "--kms-key=alias/approved", "--create-key");
        Assert.True(plan.ExitCode == 0, plan.Output);
        var planJson = Path.Combine(fixture.Artifacts, "inventory-plan.json");
        var approvedFile = Path.Combine(fixture.Artifacts, "inventory-approved-plan.json");
        File.Copy(planJson, approvedFile, overwrite: true);
        using (var written = JsonDocument.Parse(await File.ReadAllTextAsync(approvedFile)))
        {
            var digest = written.RootElement.GetProperty("digest").GetString()!;
            Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
            Assert.Contains($"Plan digest: {digest}", plan.Output, StringComparison.Ordinal);

            // Nothing changed yet: the plan holds.
            var (holds, _, _) = await fixture.RunAsync("--target=Preflight", "--cluster=inventory", "--kms-key=alias/approved", "--create-key", $"--approved-plan={digest}");
            Assert.True(holds.ExitCode == 0, holds.Output);
            Assert.Contains($"is the approved plan {digest}", holds.Output, StringComparison.Ordinal);

            // Someone changes a carried setting after the approval.
            using (var rds = fixture.Aws.CreateRds(Amazon.RegionEndpoint.GetBySystemName(AnnouncedSandbox.Region)))
            {
                await rds.ModifyDBClusterAsync(new Rekey.Aws.RDS.Model.ModifyDBClusterRequest { DBClusterIdentifier = "inventory", BackupRetentionPeriod = 21, ApplyImmediately = true });
            }

            var (byDigest, _, mutatingByDigest) = await fixture.RunAsync("--target=Cutover", "--cluster=inventory", "--kms-key=alias/approved", "--create-key", "--confirm=inventory", $"--approved-plan={digest}");
            Assert.True(byDigest.ExitCode == ExitCodes.RefusedByPreflight, byDigest.Output);
            Assert.Contains($"is not the approved plan {digest}", OneLine(byDigest.Output), StringComparison.Ordinal);
            Assert.Empty(mutatingByDigest);
        }

        var (byFile, _, mutating) = await fixture.RunAsync("--target=Cutover", "--cluster=inventory", "--kms-key=alias/approved", "--create-key", "--confirm=inventory", $"--approved-plan={approvedFile}");

        Assert.True(byFile.ExitCode == ExitCodes.RefusedByPreflight, byFile.Output);
        Assert.Empty(mutating);
        Assert.Matches("settings: now also cluster BackupRetentionPeriod = 21 [^;]*; approved also cluster BackupRetentionPeriod = 7", OneLine(byFile.Output));
    }

    [Fact]
    public async Task An_approved_plan_that_is_neither_a_digest_nor_a_file_is_bad_input()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Cutover", "--cluster=inventory", "--confirm=inventory", "--approved-plan=sha256:abc");

        Assert.Equal(ExitCodes.InvalidArguments, run.ExitCode);
        Assert.Contains("neither a plan digest", run.Output, StringComparison.Ordinal);
        Assert.Empty(mutating);
    }

    [Fact]
    public async Task A_failed_Verify_writes_a_summary_whose_tables_are_whole()
    {
        var (run, summary) = await RunUnderGitHubActionsAsync("--target=Verify", "--exclusive", "--cluster=orders");

        Assert.NotEqual(0, run.ExitCode);
        var steps = WholeMarkdown.Check(summary)[0];
        Assert.Contains(steps, r => r[0] == "Verify" && r[1].StartsWith("failed (", StringComparison.Ordinal));
        Assert.Contains("**Verify of `orders` failed at Verify:", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_under_GitHub_Actions_writes_each_warning_once_in_the_job_summary()
    {
        var (run, summary) = await RunUnderGitHubActionsAsync("--target=Plan", "--cluster=orders", "--kms-key=alias/summarised", "--create-key");

        Assert.True(run.ExitCode == 0, run.Output);
        WholeMarkdown.Check(summary);
        var warnings = summary.Split('\n').Where(l => l.StartsWith("- ⚠️", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(warnings);
        Assert.Equal(warnings.Distinct(StringComparer.Ordinal).Count(), warnings.Count);
    }

    [Fact]
    public async Task An_AWS_error_is_named_as_the_AWS_CLI_names_it_in_the_log_the_report_the_summary_the_error_annotation_and_SNS()
    {
        fixture.Sandbox.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Fail, Service = "rds", Operation = "DescribeDBClusters", ErrorCode = "AccessDenied", HttpStatus = 403,
            Message = "User: arn:aws:sts::111111111111:assumed-role/rekey/ci is not authorized to perform: rds:DescribeDBClusters",
        });
        try
        {
            var (run, summary) = await RunUnderGitHubActionsAsync("--target=Preflight", "--cluster=ledger", "--kms-key=alias/named", "--create-key", $"--sns-topic-arn={fixture.TopicArn}");

            Assert.Equal(ExitCodes.AwsFailure, run.ExitCode);
            const string named = "An error occurred (AccessDenied) when calling the DescribeDBClusters operation: User: arn:aws:sts::111111111111:assumed-role/rekey/ci is not authorized to perform: rds:DescribeDBClusters (HTTP 403, request id ";
            var output = run.Output.Replace("\n", string.Empty, StringComparison.Ordinal); // the test console wraps long lines
            Assert.Contains("Rekey stopped: " + named, output, StringComparison.Ordinal);
            Assert.Contains("Error: " + named, output, StringComparison.Ordinal);
            Assert.Contains(run.Output.Split('\n'), l => l.StartsWith("::error title=Preflight failed::" + named, StringComparison.Ordinal));
            var steps = WholeMarkdown.Check(summary)[0];
            Assert.Contains(steps, r => r[0] == "Preflight" && r[1].StartsWith("failed (" + named, StringComparison.Ordinal));
            Assert.Contains(named.Replace("_", "\\_", StringComparison.Ordinal), summary, StringComparison.Ordinal);
            using var report = JsonDocument.Parse(await ReportAsync("ledger-preflight-report.json"));
            Assert.StartsWith(named, report.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            var schema = Json.Schema.JsonSchema.FromText(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "run-report.schema.json")));
            var validation = schema.Evaluate(report.RootElement, new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List, RequireFormatValidation = true });
            Assert.True(validation.IsValid, JsonSerializer.Serialize(validation));
            var failed = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn).Last(m => m.MessageAttributes["cluster"].StringValue == "ledger");
            Assert.StartsWith(named, JsonDocument.Parse(failed.Message).RootElement.GetProperty("details").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            fixture.Sandbox.Faults.Clear();
        }
    }

    [Fact]
    public async Task A_throttled_run_under_GitHub_Actions_names_the_throttled_operation_and_its_retries_in_a_whole_summary()
    {
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Throttle, Service = "rds", Operation = "DescribeDBClusters", Count = 50 });
        try
        {
            var (run, summary) = await RunUnderGitHubActionsAsync("--target=Preflight", "--cluster=ledger", "--kms-key=alias/throttled", "--create-key");

            Assert.Equal(ExitCodes.AwsFailure, run.ExitCode);
            var steps = WholeMarkdown.Check(summary)[0];
            var preflight = Assert.Single(steps, r => r[0] == "Preflight");
            Assert.StartsWith("failed (An error occurred (Throttling) when calling the DescribeDBClusters operation: Rate exceeded (HTTP 400, request id ", preflight[1], StringComparison.Ordinal);
            Assert.Contains(" retries)", preflight[1], StringComparison.Ordinal);
        }
        finally
        {
            fixture.Sandbox.Faults.Clear();
        }
    }

    [Fact]
    public async Task At_diagnostic_verbosity_each_AWS_call_is_logged_with_its_endpoint_duration_retries_and_credential_source()
    {
        var (run, _, _) = await fixture.RunAsync("--target=Preflight", "--cluster=orders", "--kms-key=alias/diagnosed", "--create-key", "--verbosity=diagnostic");

        Assert.True(run.ExitCode == 0, run.Output);
        var output = run.Output.Replace("\n", string.Empty, StringComparison.Ordinal); // the test console wraps long lines
        Assert.Contains($"AWS RDS DescribeDBClusters at {fixture.Sandbox.BaseUrl.GetLeftPart(UriPartial.Authority)}: HTTP 200 in ", output, StringComparison.Ordinal);
        Assert.Contains(" ms, 0 retries, credentials from BasicAWSCredentials", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_normal_verbosity_AWS_calls_are_not_logged()
    {
        var (run, _, _) = await fixture.RunAsync("--target=Preflight", "--cluster=orders", "--kms-key=alias/quiet", "--create-key");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("AWS RDS DescribeDBClusters at ", run.Output, StringComparison.Ordinal);
    }

    private async Task<(Host.HostRun Run, string Summary)> RunUnderGitHubActionsAsync(params string[] args)
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
            var (run, _, _) = await fixture.RunAsync(environment, args);
            return (run, await File.ReadAllTextAsync(summary));
        }
        finally
        {
            File.Delete(summary);
        }
    }

    // The console wraps long lines; a message is read as one line.
    private static string OneLine(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    private Task<string> ReportAsync(string name) => File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, name));
}
