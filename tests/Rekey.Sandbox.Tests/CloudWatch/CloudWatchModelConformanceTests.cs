using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.CloudWatch;

public sealed class CloudWatchModelConformanceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task GetMetricData_answers_with_the_elements_of_the_AWS_model_over_Query_and_JSON()
    {
        await fixture.AvailableClusterAsync("conformance-metrics");
        fixture.Applications.Open(RdsState.ClusterEndpointName("111111111111", "us-east-1", "conformance-metrics"));
        fixture.Advance(TimeSpan.FromMinutes(3));
        var start = fixture.Sandbox.Clock.Now.AddMinutes(-10);
        var end = fixture.Sandbox.Clock.Now;
        var raw = new RawAws(fixture.Sandbox.BaseUrl);

        var xml = await raw.QueryAsync("monitoring", "2010-08-01", "GetMetricData",
        [
            new("MetricDataQueries.member.1.Id", "c"),
            new("MetricDataQueries.member.1.MetricStat.Metric.Namespace", "AWS/RDS"),
            new("MetricDataQueries.member.1.MetricStat.Metric.MetricName", "DatabaseConnections"),
            new("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name", "DBClusterIdentifier"),
            new("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value", "conformance-metrics"),
            new("MetricDataQueries.member.1.MetricStat.Period", "60"),
            new("MetricDataQueries.member.1.MetricStat.Stat", "Average"),
            new("StartTime", start.ToString("O", CultureInfo.InvariantCulture)),
            new("EndTime", end.ToString("O", CultureInfo.InvariantCulture)),
        ]);
        var (status, json) = await raw.JsonAsync("monitoring", "GraniteServiceVersion20100801.GetMetricData", "application/x-amz-json-1.0", new JsonObject
        {
            ["MetricDataQueries"] = new JsonArray(new JsonObject
            {
                ["Id"] = "c",
                ["MetricStat"] = new JsonObject
                {
                    ["Metric"] = new JsonObject
                    {
                        ["Namespace"] = "AWS/RDS",
                        ["MetricName"] = "DatabaseConnections",
                        ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "DBClusterIdentifier", ["Value"] = "conformance-metrics" }),
                    },
                    ["Period"] = 60,
                    ["Stat"] = "Average",
                },
            }),
            ["StartTime"] = start.ToUnixTimeSeconds(),
            ["EndTime"] = end.ToUnixTimeSeconds(),
        });

        Assert.Empty(BotocoreModel.Load("cloudwatch", "2010-08-01").Check("GetMetricData", xml));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(JsonModel.Load("cloudwatch", "2010-08-01").Check("GetMetricData", json));
        Assert.NotEmpty(json!["MetricDataResults"]![0]!["Values"]!.AsArray());
    }
}
