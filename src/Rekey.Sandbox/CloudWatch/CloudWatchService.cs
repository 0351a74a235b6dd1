using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.CloudWatch;

/// <summary>
/// Amazon CloudWatch GetMetricData for the AWS/RDS metrics the sandbox simulates. CloudWatch
/// speaks two protocols today and clients pick one: AWS Query (form POST, XML; Rekey's client,
/// older SDKs) and JSON 1.0 with X-Amz-Target GraniteServiceVersion20100801.* (current botocore,
/// hence the AWS CLI). Requests carrying X-Amz-Target go to the JSON protocol, the rest to Query.
/// </summary>
public sealed class CloudWatchService(SandboxRuntime runtime, SimulatedRdsMetrics metrics) : ISandboxService
{
    private readonly QueryProtocol _query = new(runtime, metrics);
    private readonly JsonProtocol _json = new(runtime, metrics);

    public string SigningName => "monitoring";

    public IReadOnlyCollection<string> UnsignedOperations => [];

    public Task HandleAsync(AwsRequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Http.Request.Headers.ContainsKey("X-Amz-Target") ? _json.HandleAsync(request) : _query.HandleAsync(request);
    }

    private sealed class QueryProtocol : QueryService
    {
        public QueryProtocol(SandboxRuntime runtime, SimulatedRdsMetrics metrics)
            : base(runtime)
        {
            Register("GetMetricData", mutating: false, (request, p) =>
            {
                var queries = p.Structures("MetricDataQueries").Select(q => new MetricQuery
                {
                    Id = q.Required("Id"),
                    Namespace = q.Get("MetricStat.Metric.Namespace"),
                    MetricName = q.Get("MetricStat.Metric.MetricName"),
                    Dimensions = [.. q.Structures("MetricStat.Metric.Dimensions").Select(d => new MetricDimension(d.Required("Name"), d.Required("Value")))],
                    Period = q.Int("MetricStat.Period") ?? q.Int("Period") ?? 0,
                    Stat = q.Get("MetricStat.Stat"),
                    Label = q.Get("Label"),
                    ReturnData = q.Bool("ReturnData") ?? true,
                    Expression = q.Get("Expression"),
                    AccountId = q.Get("AccountId"),
                }).ToList();
                var data = new MetricDataRequest(
                    queries,
                    p.Time("StartTime") ?? throw AwsServiceException.MissingParameter("StartTime"),
                    p.Time("EndTime") ?? throw AwsServiceException.MissingParameter("EndTime"),
                    Ascending(p.Get("ScanBy")),
                    p.Int("MaxDatapoints") ?? 100800);
                var results = metrics.GetMetricData(request.Account, request.Region, data);
                return
                [
                    new XElement("MetricDataResults", results.Select(r => new XElement(
                        "member",
                        new XElement("Id", r.Id),
                        new XElement("Label", r.Label),
                        new XElement("Timestamps", r.Timestamps.Select(t => new XElement("member", QueryXml.Timestamp(t)))),
                        new XElement("Values", r.Values.Select(v => new XElement("member", v.ToString("R", CultureInfo.InvariantCulture)))),
                        new XElement("StatusCode", "Complete"),
                        new XElement("Messages")))),
                    new XElement("Messages"),
                ];
            });
        }

        public override string SigningName => "monitoring";

        protected override XNamespace Namespace => "http://monitoring.amazonaws.com/doc/2010-08-01/";
    }

    private sealed class JsonProtocol : JsonService
    {
        public JsonProtocol(SandboxRuntime runtime, SimulatedRdsMetrics metrics)
            : base(runtime)
        {
            Register("GetMetricData", mutating: false, (request, body) =>
            {
                var queries = (body["MetricDataQueries"] as JsonArray ?? throw AwsServiceException.MissingParameter("MetricDataQueries"))
                    .OfType<JsonObject>()
                    .Select(q =>
                    {
                        var stat = q["MetricStat"] as JsonObject;
                        var metric = stat?["Metric"] as JsonObject;
                        return new MetricQuery
                        {
                            Id = q["Id"]?.GetValue<string>() ?? throw AwsServiceException.MissingParameter("Id"),
                            Namespace = metric?["Namespace"]?.GetValue<string>(),
                            MetricName = metric?["MetricName"]?.GetValue<string>(),
                            Dimensions = [.. (metric?["Dimensions"] as JsonArray ?? []).OfType<JsonObject>()
                                .Select(d => new MetricDimension(d["Name"]!.GetValue<string>(), d["Value"]!.GetValue<string>()))],
                            Period = stat?["Period"]?.GetValue<int>() ?? q["Period"]?.GetValue<int>() ?? 0,
                            Stat = stat?["Stat"]?.GetValue<string>(),
                            Label = q["Label"]?.GetValue<string>(),
                            ReturnData = q["ReturnData"]?.GetValue<bool>() ?? true,
                            Expression = q["Expression"]?.GetValue<string>(),
                            AccountId = q["AccountId"]?.GetValue<string>(),
                        };
                    }).ToList();
                var data = new MetricDataRequest(
                    queries,
                    Time(body["StartTime"]) ?? throw AwsServiceException.MissingParameter("StartTime"),
                    Time(body["EndTime"]) ?? throw AwsServiceException.MissingParameter("EndTime"),
                    Ascending(body["ScanBy"]?.GetValue<string>()),
                    body["MaxDatapoints"]?.GetValue<int>() ?? 100800);
                var results = metrics.GetMetricData(request.Account, request.Region, data);
                return new JsonObject
                {
                    ["MetricDataResults"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
                    {
                        ["Id"] = r.Id,
                        ["Label"] = r.Label,
                        ["Timestamps"] = new JsonArray([.. r.Timestamps.Select(t => (JsonNode)JsonValue.Create(t.ToUnixTimeMilliseconds() / 1000.0))]),
                        ["Values"] = new JsonArray([.. r.Values.Select(v => (JsonNode)JsonValue.Create(v))]),
                        ["StatusCode"] = "Complete",
                        ["Messages"] = new JsonArray(),
                    })]),
                    ["Messages"] = new JsonArray(),
                };
            });
        }

        public override string SigningName => "monitoring";

        protected override string TargetPrefix => "GraniteServiceVersion20100801";

        protected override string ContentType => "application/x-amz-json-1.0";

        // JSON timestamps are epoch seconds; ISO 8601 text is accepted too.
        private static DateTimeOffset? Time(JsonNode? node) => node switch
        {
            null => null,
            JsonValue value when value.TryGetValue<double>(out var seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)),
            JsonValue value when DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time,
            _ => throw AwsServiceException.InvalidParameterValue("Invalid timestamp."),
        };
    }

    private static bool Ascending(string? scanBy) => scanBy switch
    {
        null or "TimestampDescending" => false,
        "TimestampAscending" => true,
        _ => throw AwsServiceException.InvalidParameterValue($"Invalid ScanBy {scanBy}: use TimestampDescending or TimestampAscending."),
    };
}
