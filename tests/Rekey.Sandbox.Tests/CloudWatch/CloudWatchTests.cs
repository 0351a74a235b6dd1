using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.CloudWatch;

/// <summary>
/// GetMetricData over the simulated application's connections and writes. The clock only moves
/// when the test moves it, so every sample's minute is known.
/// </summary>
public sealed class CloudWatchTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private const string Account = "111111111111";
    private const string Region = "us-east-1";

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset NextMinute(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(((time.ToUnixTimeSeconds() / 60) + 1) * 60);

    private static string Query(string id, string metric, string dimension, string value, int period, string stat) => new JsonArray(new JsonObject
    {
        ["Id"] = id,
        ["MetricStat"] = new JsonObject
        {
            ["Metric"] = new JsonObject
            {
                ["Namespace"] = "AWS/RDS",
                ["MetricName"] = metric,
                ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = dimension, ["Value"] = value }),
            },
            ["Period"] = period,
            ["Stat"] = stat,
        },
    }).ToJsonString();

    // AWS CLI v1 prints timestamps as they came over the wire: JSON protocols send epoch seconds.
    private static DateTimeOffset Time(JsonNode? value) => DateTimeOffset.FromUnixTimeMilliseconds((long)(value!.GetValue<double>() * 1000));

    private static Dictionary<DateTimeOffset, double> Points(JsonNode result)
    {
        var timestamps = result["Timestamps"]!.AsArray().Select(Time).ToList();
        var values = result["Values"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        return timestamps.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>
    /// Two connections and 30 writes in the minute before m0; a third connection and 12 writes in
    /// the minute before m0+2min; the first connection closed in the minute before m0+4min.
    /// </summary>
    private async Task<DateTimeOffset> SimulateAsync(string cluster)
    {
        await fixture.AvailableClusterAsync(cluster);
        var endpoint = RdsState.ClusterEndpointName(Account, Region, cluster);
        var m0 = NextMinute(fixture.Sandbox.Clock.Now.AddSeconds(30));
        fixture.Advance(m0 - fixture.Sandbox.Clock.Now - TimeSpan.FromSeconds(30));
        var first = fixture.Applications.Open(endpoint);
        var second = fixture.Applications.Open(endpoint);
        for (var i = 0; i < 30; i++)
        {
            Assert.True(fixture.Applications.Write(first.Id, "k" + i, "v").Acknowledged);
        }

        fixture.Advance(TimeSpan.FromMinutes(2));
        fixture.Applications.Open(endpoint);
        for (var i = 0; i < 12; i++)
        {
            fixture.Applications.Write(second.Id, "later" + i, "v");
        }

        fixture.Advance(TimeSpan.FromMinutes(2));
        fixture.Applications.Close(first.Id);
        fixture.Advance(TimeSpan.FromMinutes(3));
        return m0;
    }

    [Fact]
    public async Task DatabaseConnections_counts_the_open_connections_each_minute_for_the_cluster_and_its_writer_instance()
    {
        var m0 = await SimulateAsync("metrics-connections");
        string[] Call(string dimension, string value) =>
        [
            "cloudwatch", "get-metric-data", "--metric-data-queries", Query("c", "DatabaseConnections", dimension, value, 60, "Maximum"),
            "--start-time", Stamp(m0.AddMinutes(-3)), "--end-time", Stamp(fixture.Sandbox.Clock.Now), "--scan-by", "TimestampAscending",
        ];

        var byCluster = (await fixture.Aws.JsonAsync(Call("DBClusterIdentifier", "metrics-connections")))["MetricDataResults"]![0]!;
        var byInstance = (await fixture.Aws.JsonAsync(Call("DBInstanceIdentifier", "metrics-connections-1")))["MetricDataResults"]![0]!;
        var points = Points(byCluster);

        Assert.Equal("c", byCluster["Id"].Text());
        Assert.Equal("Complete", byCluster["StatusCode"].Text());
        Assert.Equal(0, points[m0.AddMinutes(-1)]);
        Assert.Equal(2, points[m0]);
        Assert.Equal(2, points[m0.AddMinutes(1)]);
        Assert.Equal(3, points[m0.AddMinutes(2)]);
        Assert.Equal(2, points[m0.AddMinutes(4)]);
        Assert.Equal(points, Points(byInstance));
        Assert.Equal(points.Keys.Order(), points.Keys);
        Assert.True(points.Keys.Max() <= fixture.Sandbox.Clock.Now);
    }

    [Fact]
    public async Task NoMetricData_hides_only_its_metric_while_it_is_set()
    {
        var m0 = await SimulateAsync("metrics-hidden");
        async Task<int> CountAsync(string metric) =>
            (await fixture.Aws.JsonAsync(
                "cloudwatch", "get-metric-data", "--metric-data-queries", Query("h", metric, "DBClusterIdentifier", "metrics-hidden", 60, "Maximum"),
                "--start-time", Stamp(m0.AddMinutes(-2)), "--end-time", Stamp(fixture.Sandbox.Clock.Now)))["MetricDataResults"]![0]!["Values"]!.AsArray().Count;

        fixture.Sandbox.Faults.Add(new Core.FaultRule { Kind = Core.FaultKind.NoMetricData, MetricName = "CommitThroughput" });
        try
        {
            Assert.Equal(0, await CountAsync("CommitThroughput"));
            Assert.Equal(0, await CountAsync("CommitThroughput"));
            Assert.True(await CountAsync("DatabaseConnections") > 0);
        }
        finally
        {
            fixture.Sandbox.Faults.Clear();
        }

        Assert.True(await CountAsync("CommitThroughput") > 0);
    }

    [Fact]
    public async Task CommitThroughput_is_acknowledged_writes_per_second_and_periods_aggregate_with_the_statistic()
    {
        var m0 = await SimulateAsync("metrics-commits");
        var perMinute = (await fixture.Aws.JsonAsync(
            "cloudwatch", "get-metric-data", "--metric-data-queries", Query("w", "CommitThroughput", "DBClusterIdentifier", "metrics-commits", 60, "Sum"),
            "--start-time", Stamp(m0.AddMinutes(-2)), "--end-time", Stamp(fixture.Sandbox.Clock.Now)))["MetricDataResults"]![0]!;
        var tenMinutes = (await fixture.Aws.JsonAsync(
            "cloudwatch", "get-metric-data", "--metric-data-queries", Query("w", "CommitThroughput", "DBClusterIdentifier", "metrics-commits", 600, "Maximum"),
            "--start-time", Stamp(m0.AddMinutes(-20)), "--end-time", Stamp(fixture.Sandbox.Clock.Now)))["MetricDataResults"]![0]!;
        var points = Points(perMinute);
        var timestamps = perMinute["Timestamps"]!.AsArray().Select(Time).ToList();

        Assert.Equal(0.5, points[m0], 6);
        Assert.Equal(0.2, points[m0.AddMinutes(2)], 6);
        Assert.Equal(0.7, points.Values.Sum(), 6);
        Assert.Equal(timestamps.OrderDescending(), timestamps);
        Assert.Equal(0.5, tenMinutes["Values"]!.AsArray().Max(v => v!.GetValue<double>()), 6);
    }

    [Fact]
    public async Task GetMetricData_is_served_over_the_Query_protocol_too()
    {
        var m0 = await SimulateAsync("metrics-query");
        string[] keys = ["Id", "MetricStat.Metric.Namespace", "MetricStat.Metric.MetricName", "MetricStat.Metric.Dimensions.member.1.Name", "MetricStat.Metric.Dimensions.member.1.Value", "MetricStat.Period", "MetricStat.Stat"];
        string[] values = ["q", "AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", "metrics-query", "60", "Maximum"];
        var parameters = keys.Zip(values, (k, v) => new KeyValuePair<string, string>("MetricDataQueries.member.1." + k, v))
            .Append(new("StartTime", Stamp(m0)))
            .Append(new("EndTime", Stamp(m0.AddMinutes(3))))
            .Append(new("ScanBy", "TimestampAscending"));

        var response = await fixture.Query.CallAsync("GetMetricData", parameters, service: "monitoring", version: "2010-08-01");

        XNamespace ns = "http://monitoring.amazonaws.com/doc/2010-08-01/";
        var result = response.Descendants(ns + "MetricDataResults").Single().Element(ns + "member")!;
        Assert.Equal("q", result.Element(ns + "Id")!.Value);
        Assert.Equal(["2", "2", "3"], result.Element(ns + "Values")!.Elements(ns + "member").Select(v => v.Value));
        Assert.Equal(
            [m0, m0.AddMinutes(1), m0.AddMinutes(2)],
            result.Element(ns + "Timestamps")!.Elements(ns + "member").Select(t => DateTimeOffset.Parse(t.Value, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Invalid_periods_statistics_and_time_ranges_are_InvalidParameterValue()
    {
        var now = fixture.Sandbox.Clock.Now;
        string[] Call(int period, string stat, DateTimeOffset start, DateTimeOffset end) =>
        [
            "cloudwatch", "get-metric-data", "--metric-data-queries", Query("x", "DatabaseConnections", "DBClusterIdentifier", "any", period, stat),
            "--start-time", Stamp(start), "--end-time", Stamp(end),
        ];

        var period = await fixture.Aws.FailureAsync(Call(90, "Maximum", now.AddHours(-1), now));
        var stat = await fixture.Aws.FailureAsync(Call(60, "Median", now.AddHours(-1), now));
        var range = await fixture.Aws.FailureAsync(Call(60, "Maximum", now, now.AddHours(-1)));
        var unknownCluster = await fixture.Aws.JsonAsync(Call(60, "Maximum", now.AddHours(-1), now));

        Assert.All([period, stat, range], f => Assert.Equal("InvalidParameterValue", f.ErrorCode));
        Assert.Empty(unknownCluster["MetricDataResults"]![0]!["Values"]!.AsArray());
    }
}
