using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Contract;

/// <summary>
/// Every operation, through the real client pipeline (marshaller, endpoint resolver, SigV4 signer,
/// HTTP), checked against botocore's model: the request on the wire, and the parsing of answers
/// built from the model's output shapes.
/// </summary>
public sealed partial class ModelContractTests
{
    private static readonly DateTimeOffset ServerDate = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly RegionEndpoint Region = RegionEndpoint.EUWest3;

    public static TheoryData<string, string> Operations() => ServiceUnderTest.AllOperations();

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_model_member_of_the_request_reaches_the_wire_under_its_protocol_name(string service, string operation)
    {
        var run = await RunAsync(service, operation, Fill.Full, Fill.Full);
        AssertRequestMatchesModel(run);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Request_with_only_required_members_carries_exactly_those(string service, string operation)
    {
        var run = await RunAsync(service, operation, Fill.RequiredOnly, Fill.Full);
        AssertRequestMatchesModel(run);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Answer_with_every_output_member_parses_into_the_response(string service, string operation)
    {
        var run = await RunAsync(service, operation, Fill.Full, Fill.Full);
        AssertResponseMatchesModel(run);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Answer_with_empty_lists_and_maps_parses_to_empty_collections(string service, string operation)
    {
        var run = await RunAsync(service, operation, Fill.Full, Fill.EmptyCollections);
        AssertResponseMatchesModel(run);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Answer_without_optional_members_leaves_them_null(string service, string operation)
    {
        var run = await RunAsync(service, operation, Fill.Full, Fill.RequiredOnly);
        AssertResponseMatchesModel(run);
    }

    internal sealed record Run(
        ServiceUnderTest Service, ServiceModel Model, string Operation, JsonElement OperationModel,
        StructNode Request, StructNode? Answer, RecordedRequest Wire, AmazonWebServiceResponse Response);

    internal static async Task<Run> RunAsync(string serviceName, string operation, Fill requestFill, Fill answerFill)
    {
        var service = ServiceUnderTest.Named(serviceName);
        var model = ServiceModel.Load(service.Model);
        var op = model.Operation(operation);
        var values = new ModelValues(model);
        var wire = new WireFormats(model);
        var input = op.TryGetProperty("input", out var i) ? i.GetProperty("shape").GetString() : null;
        var output = op.TryGetProperty("output", out var o) ? o.GetProperty("shape").GetString() : null;
        var requestTree = input == null ? new StructNode([]) : values.Make(input, requestFill);
        var answerTree = output == null ? null : values.Make(output, answerFill);
        const string requestId = "7f2e0c1a-0000-4000-8000-contract";

        var http = new RecordingHttp(_ =>
        {
            if (service.Protocol == "query")
            {
                var xml = wire.QueryResponseXml(operation, output == null ? null : model.Shape(output), answerTree,
                    output == null ? null : ServiceModel.Str(o, "resultWrapper"), requestId);
                return RecordingHttp.Answer(HttpStatusCode.OK, xml, "text/xml", ServerDate);
            }

            var json = answerTree == null ? string.Empty : wire.JsonBody(model.Shape(output!), answerTree, r => ServiceModel.Str(r, "location") == null).ToJsonString();
            var contentType = service.Protocol == "json" ? "application/x-amz-json-" + ServiceModel.Str(model.Metadata, "jsonVersion") : "application/json";
            return RecordingHttp.Answer(HttpStatusCode.OK, json, contentType, ServerDate, ("x-amzn-RequestId", requestId));
        });
        var factory = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Credentials = new BasicAWSCredentials("AKIDCONTRACT", "secret"),
            HttpClientFactory = http,
            MaxErrorRetry = 0,
        });
        using var client = service.CreateClient(factory, Region);
        var request = (AmazonWebServiceRequest)ModelValues.ToObject(service.RequestType(operation), requestTree);
        var response = await ServiceUnderTest.InvokeAsync(client, operation, request);
        Assert.True(http.Requests.Count == 1, $"expected one HTTP request, saw {http.Requests.Count}");
        Assert.IsType(service.ResponseType(operation), response);
        Assert.Equal(ServerDate, response.ServerDate());
        Assert.Equal(requestId, response.ResponseMetadata.RequestId);
        return new Run(service, model, operation, op, requestTree, answerTree, http.Requests.Single(), response);
    }

    internal static void AssertRequestMatchesModel(Run run)
    {
        var scope = CredentialScope().Match(run.Wire.Headers["Authorization"]);
        Assert.True(scope.Success, "Authorization is not a SigV4 header: " + run.Wire.Headers["Authorization"]);
        Assert.Equal(run.Service.SigningRegion(Region), scope.Groups["region"].Value);
        Assert.Equal(run.Service.SigningName, scope.Groups["service"].Value);
        var input = run.OperationModel.TryGetProperty("input", out var i) ? run.Model.Shape(i.GetProperty("shape").GetString()!) : (JsonElement?)null;
        switch (run.Service.Protocol)
        {
            case "query":
                AssertQueryRequest(run, input);
                break;
            case "json":
                AssertAwsJsonRequest(run, input);
                break;
            default:
                AssertRestJsonRequest(run, input);
                break;
        }
    }

    private static void AssertQueryRequest(Run run, JsonElement? input)
    {
        Assert.Equal("POST", run.Wire.Method);
        Assert.Equal("/", run.Wire.Uri.AbsolutePath);
        Assert.StartsWith("application/x-www-form-urlencoded", run.Wire.Headers["Content-Type"], StringComparison.Ordinal);
        var actual = ParseForm(run.Wire.Body);
        var expected = input is { } shape ? new WireFormats(run.Model).QueryParameters(shape, run.Request) : [];
        expected["Action"] = run.Operation;
        expected["Version"] = run.Model.ApiVersion;
        AssertParameters(expected, actual);
    }

    private static void AssertAwsJsonRequest(Run run, JsonElement? input)
    {
        // AWS JSON: POST / naming the operation in X-Amz-Target, every input member in the body, and a
        // body ("{}") even without input, as botocore's serializer writes it.
        Assert.Equal("POST", run.Wire.Method);
        Assert.Equal("/", run.Wire.Uri.AbsolutePath);
        Assert.Equal(string.Empty, run.Wire.Uri.Query);
        Assert.Equal(ServiceModel.Str(run.Model.Metadata, "targetPrefix") + "." + run.Operation, run.Wire.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-" + ServiceModel.Str(run.Model.Metadata, "jsonVersion"), run.Wire.Headers["Content-Type"].Split(';')[0]);
        var expectedBody = input is { } shape ? new WireFormats(run.Model).JsonBody(shape, run.Request, _ => true) : new System.Text.Json.Nodes.JsonObject();
        using var actualBody = JsonDocument.Parse(run.Wire.Body);
        WireFormats.AssertJsonEqual(JsonDocument.Parse(expectedBody.ToJsonString()).RootElement, actualBody.RootElement, "body");
    }

    internal static void AssertParameters(Dictionary<string, object> expected, Dictionary<string, List<string>> actual)
    {
        var missing = expected.Keys.Except(actual.Keys).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Keys.Except(expected.Keys).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"parameter names differ from the model.\n  missing: {string.Join(", ", missing)}\n  not in the model: {string.Join(", ", extra)}");
        foreach (var (name, value) in expected)
        {
            Assert.True(actual[name].Count == 1, $"{name} appears {actual[name].Count} times");
            AssertScalar(value, actual[name][0], name);
        }
    }

    internal static void AssertScalar(object expected, string actual, string name)
    {
        if (expected is DateTime time)
        {
            Assert.Matches(Iso8601(), actual);
            var parsed = DateTime.Parse(actual, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.True(parsed == time, $"{name}: expected {time:O}, got {actual}");
            return;
        }

        Assert.True(ModelValues.QueryText(expected) == actual, $"{name}: expected '{ModelValues.QueryText(expected)}', got '{actual}'");
    }

    private static void AssertRestJsonRequest(Run run, JsonElement? input)
    {
        var http = run.OperationModel.GetProperty("http");
        Assert.Equal(http.GetProperty("method").GetString(), run.Wire.Method);
        var template = http.GetProperty("requestUri").GetString()!.Split('?')[0];
        var members = input is { } shape ? run.Model.Members(shape).ToList() : [];

        // Path: each {label} is the member's value as one segment ('/' and ':' encoded), literals unchanged.
        var expectedSegments = template.Split('/').Select(segment =>
        {
            var label = LabelPattern().Match(segment);
            if (!label.Success)
            {
                return segment;
            }

            var member = members.Single(m => (ServiceModel.Str(m.Ref, "locationName") ?? m.Name) == label.Groups[1].Value && ServiceModel.Str(m.Ref, "location") == "uri");
            return (string)((ScalarNode)run.Request.Members[member.Name]).Value;
        }).ToList();
        var actualSegments = run.Wire.Uri.AbsolutePath.Split('/').Select(Uri.UnescapeDataString).ToList();
        Assert.Equal(expectedSegments, actualSegments);

        // Query string: querystring members under their locationName; lists repeat the name.
        var expectedQuery = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, reference, target) in members.Where(m => ServiceModel.Str(m.Ref, "location") == "querystring"))
        {
            if (!run.Request.Members.TryGetValue(name, out var node))
            {
                continue;
            }

            var key = ServiceModel.Str(reference, "locationName") ?? name;
            expectedQuery[key] = node is ListNode list
                ? list.Items.Select(x => ModelValues.QueryText(((ScalarNode)x).Value)).ToList()
                : [ModelValues.QueryText(((ScalarNode)node).Value)];
        }

        var actualQuery = ParseForm(run.Wire.Uri.Query.TrimStart('?'));
        Assert.Equal(expectedQuery.Keys.Order(StringComparer.Ordinal), actualQuery.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, values) in expectedQuery)
        {
            Assert.True(values.Order(StringComparer.Ordinal).SequenceEqual(actualQuery[key].Order(StringComparer.Ordinal)),
                $"query {key}: expected [{string.Join(", ", values)}], got [{string.Join(", ", actualQuery[key])}]");
        }

        // Body: every member not bound to the URI, query string or headers, as JSON.
        var bodyMembers = members.Where(m => ServiceModel.Str(m.Ref, "location") == null).ToList();
        if (bodyMembers.Count == 0)
        {
            Assert.Equal(string.Empty, run.Wire.Body);
            return;
        }

        Assert.StartsWith("application/json", run.Wire.Headers["Content-Type"], StringComparison.Ordinal);
        var expectedBody = new WireFormats(run.Model).JsonBody(input!.Value, run.Request, r => ServiceModel.Str(r, "location") == null);
        using var actualBody = JsonDocument.Parse(run.Wire.Body);

        // Idempotency tokens the caller left out are filled in by the client, as AWS's SDKs do.
        foreach (var (name, reference, _) in bodyMembers.Where(m => ServiceModel.Flag(m.Ref, "idempotencyToken") && !run.Request.Members.ContainsKey(m.Name)))
        {
            var wireName = ServiceModel.Str(reference, "locationName") ?? name;
            Assert.True(actualBody.RootElement.TryGetProperty(wireName, out var token) && Guid.TryParse(token.GetString(), out _),
                $"idempotency token {wireName} was not generated");
            expectedBody[wireName] = token.GetString();
        }

        WireFormats.AssertJsonEqual(JsonDocument.Parse(expectedBody.ToJsonString()).RootElement, actualBody.RootElement, "body");
    }

    internal static void AssertResponseMatchesModel(Run run)
    {
        if (run.Answer == null)
        {
            return;
        }

        var output = run.Model.Shape(run.OperationModel.GetProperty("output").GetProperty("shape").GetString()!);
        ModelValues.AssertEqual(run.Answer, run.Response, run.Operation + "Response", output, run.Model);
    }

    internal static Dictionary<string, List<string>> ParseForm(string form)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in form.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((at < 0 ? pair : pair[..at]).Replace('+', ' '));
            var value = at < 0 ? string.Empty : Uri.UnescapeDataString(pair[(at + 1)..].Replace('+', ' '));
            if (!result.TryGetValue(name, out var values))
            {
                result[name] = values = [];
            }

            values.Add(value);
        }

        return result;
    }

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request")]
    internal static partial Regex CredentialScope();

    [GeneratedRegex(@"^\{([^}+]+)\+?\}$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")]
    private static partial Regex Iso8601();
}
