using System.Text.Json;
using Json.Schema;
using Rekey.Migration;
using Rekey.Reporting;

namespace Rekey.Tests.Reporting;

/// <summary>The run reports against the schema published in docs/run-report.schema.json.</summary>
public sealed class RunReportSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "run-report.schema.json")));

    private static RunReport Failed() => new()
    {
        Target = "Cutover",
        Cluster = "orders",
        Region = "eu-west-1",
        RunId = "123456",
        RunUrl = "https://github.com/acme/db/actions/runs/123456",
        Actor = "octocat",
        Succeeded = false,
        Error = "An error occurred (AccessDenied) when calling the DescribeDBClusters operation: denied (HTTP 403, request id r-1)",
        Steps = [new StepOutcome("Preflight", "succeeded", 1.2, StartedAt: new(2026, 11, 28, 9, 59, 0, TimeSpan.Zero), FinishedAt: new(2026, 11, 28, 9, 59, 1, TimeSpan.Zero)), new StepOutcome("Fence", "failed", 0.4, "An error occurred (AccessDenied) ..."), new StepOutcome("Verify", "skipped", 0, "this cutover uses blue-green")],
        StartedAt = new(2026, 11, 28, 9, 59, 0, TimeSpan.Zero),
        FinishedAt = new(2026, 11, 28, 10, 0, 1, TimeSpan.Zero),
        AwsTimes = new Dictionary<string, DateTimeOffset> { ["fenced"] = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero) },
        Preflight = new PreflightReport { ClusterId = "orders", Warnings = ["It's shared."], Strategy = Rekey.Configuration.CutoverStrategy.BlueGreen },
        Verification = new VerifyResult { ClusterId = "orders", Checks = OnePassed("key") },
        Warnings = ["It's shared."],
        Log = ["Fence: renamed orders to orders-old"],
    };

    [Fact]
    public void A_failed_run_report_validates_against_the_published_schema()
    {
        var results = Evaluate(Failed().ToJson());

        Assert.True(results.IsValid, JsonSerializer.Serialize(results));
    }

    [Fact]
    public void The_schema_rejects_a_step_start_that_is_not_a_time()
    {
        var json = Failed().ToJson();
        var broken = json.Replace("\"startedAt\": \"2026-11-28T09:59:00+00:00\"", "\"startedAt\": \"at nine\"", StringComparison.Ordinal);

        Assert.NotEqual(json, broken);
        Assert.False(Evaluate(broken).IsValid);
    }

    [Fact]
    public void The_schema_rejects_a_report_without_a_format_version_or_with_a_strategy_as_a_number()
    {
        using var report = JsonDocument.Parse(Failed().ToJson());
        var withoutVersion = report.RootElement.EnumerateObject().Where(p => p.Name != "formatVersion").ToDictionary(p => p.Name, p => p.Value);
        Assert.False(Evaluate(JsonSerializer.Serialize(withoutVersion)).IsValid);

        var numbered = Failed().ToJson().Replace("\"strategy\": \"blue-green\"", "\"strategy\": 1", StringComparison.Ordinal);
        Assert.NotEqual(Failed().ToJson(), numbered);
        Assert.False(Evaluate(numbered).IsValid);
    }

    [Fact]
    public void A_report_with_a_preflight_item_not_measured_validates_and_one_with_an_unknown_outcome_does_not()
    {
        var checks = new Rekey.Checks.Checklist();
        checks.Pass("the key exists");
        checks.NotMeasuredBecause("no zero-ETL integration has orders as its source", "AWS refused a read it needs (AccessDenied).", "aws rds describe-integrations");
        var report = Failed() with
        {
            Preflight = new PreflightReport { ClusterId = "orders", Blocks = ["Not measured: ..."], Checks = checks.Items },
            Checks = [new Rekey.Reporting.StepChecks("Preflight", checks.Items)],
        };
        var json = report.ToJson();

        Assert.Contains("\"not-measured\"", json, StringComparison.Ordinal);
        Assert.True(Evaluate(json).IsValid, JsonSerializer.Serialize(Evaluate(json)));
        Assert.False(Evaluate(json.Replace("\"not-measured\"", "\"skipped\"", StringComparison.Ordinal)).IsValid);
    }

    private static EvaluationResults Evaluate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Evaluate(document.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
    }

    private static Rekey.Checks.Checklist OnePassed(string what)
    {
        var checks = new Rekey.Checks.Checklist();
        checks.Pass(what);
        return checks;
    }
}
