using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Rekey.Sandbox.Tests;

/// <summary>
/// A botocore service model for the JSON protocols (JSON 1.0/1.1 and REST-JSON). botocore, and so
/// the AWS CLI, drops JSON members a model does not know, so a misspelled member would vanish
/// without a failure; <see cref="Check"/> reports every member, type and enum value that the
/// operation's output shape does not allow.
/// </summary>
internal sealed class JsonModel
{
    private readonly JsonObject _model;

    private JsonModel(JsonObject model) => _model = model;

    public IReadOnlyCollection<string> Operations => [.. _model["operations"]!.AsObject().Select(o => o.Key)];

    public static JsonModel Load(string service, string version)
    {
        using var file = File.OpenRead(Path.Combine(BotocoreModel.BotocoreDirectory.Value, "data", service, version, "service-2.json.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return new JsonModel(JsonNode.Parse(gzip)!.AsObject());
    }

    /// <summary>The operation's HTTP method and URI path (without the query part).</summary>
    public (string Method, string Path) Http(string operation)
    {
        var http = _model["operations"]![operation]!["http"]!;
        return (http["method"]!.GetValue<string>(), http["requestUri"]!.GetValue<string>().Split('?')[0]);
    }

    public IReadOnlyList<string> Check(string operation, JsonNode? body)
    {
        var errors = new List<string>();
        var output = _model["operations"]![operation]!["output"];
        if (output is null)
        {
            if (body is JsonObject { Count: > 0 })
            {
                errors.Add($"{operation}: the model has no output but the body has members");
            }

            return errors;
        }

        CheckShape(body, output["shape"]!.GetValue<string>(), operation, errors, bodyOnly: true);
        return errors;
    }

    private void CheckShape(JsonNode? node, string shapeName, string path, List<string> errors, bool bodyOnly = false)
    {
        var shape = _model["shapes"]![shapeName]!;
        var type = shape["type"]!.GetValue<string>();
        switch (type)
        {
            case "structure" when node is JsonObject json:
                var members = shape["members"]!.AsObject()
                    .Where(m => !bodyOnly || m.Value!["location"] is null)
                    .ToDictionary(m => m.Key, m => m.Value!["shape"]!.GetValue<string>());
                foreach (var (name, value) in json)
                {
                    if (members.TryGetValue(name, out var memberShape))
                    {
                        CheckShape(value, memberShape, path + "." + name, errors);
                    }
                    else
                    {
                        errors.Add($"{path}: {name} is not a member of {shapeName}");
                    }
                }

                foreach (var required in shape["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
                {
                    if (members.ContainsKey(required) && !json.ContainsKey(required))
                    {
                        errors.Add($"{path}: required member {required} is missing");
                    }
                }

                break;
            case "list" when node is JsonArray array:
                foreach (var item in array)
                {
                    CheckShape(item, shape["member"]!["shape"]!.GetValue<string>(), path + "[]", errors);
                }

                break;
            case "map" when node is JsonObject map:
                foreach (var (key, value) in map)
                {
                    CheckShape(value, shape["value"]!["shape"]!.GetValue<string>(), path + "." + key, errors);
                }

                break;
            case "structure" or "list" or "map":
                errors.Add($"{path}: expected a {type}, found {node?.GetValueKind().ToString() ?? "null"}");
                break;
            default:
                if (!ValidScalar(shape, type, node))
                {
                    errors.Add($"{path}: {node?.ToJsonString() ?? "null"} is not a valid {type} ({shapeName})");
                }

                break;
        }
    }

    private static bool ValidScalar(JsonNode shape, string type, JsonNode? node)
    {
        var kind = node?.GetValueKind();
        return type switch
        {
            "string" => kind == JsonValueKind.String &&
                (shape["enum"] is not JsonArray values || values.Any(v => v!.GetValue<string>() == node!.GetValue<string>())),
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "integer" or "long" => kind == JsonValueKind.Number && node!.AsValue().TryGetValue<long>(out _),
            "double" or "float" => kind == JsonValueKind.Number,

            // JSON protocols send timestamps as epoch seconds unless the shape says otherwise.
            "timestamp" => kind == JsonValueKind.Number,
            "blob" => kind == JsonValueKind.String,
            _ => false,
        };
    }
}

/// <summary>Raw requests to the sandbox with a SigV4-shaped Authorization header (the sandbox reads the scope, not the signature).</summary>
internal sealed class RawAws(Uri baseUrl)
{
    private static readonly HttpClient Client = new();

    public async Task<(HttpStatusCode Status, JsonNode? Body)> JsonAsync(string service, string target, string contentType, JsonObject body, string account = "111111111111")
    {
        using var request = Request(HttpMethod.Post, "/", service, account);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await SendAsync(request);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> RestAsync(HttpMethod method, string path, JsonObject? body = null, string account = "111111111111")
    {
        using var request = Request(method, path, "backup", account);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return await SendAsync(request);
    }

    public async Task<XElement> QueryAsync(string service, string version, string action, IEnumerable<KeyValuePair<string, string>> parameters, string account = "111111111111")
    {
        using var request = Request(HttpMethod.Post, "/", service, account);
        request.Content = new FormUrlEncodedContent([new("Action", action), new("Version", version), .. parameters]);
        using var response = await Client.SendAsync(request);
        return XElement.Parse(await response.Content.ReadAsStringAsync());
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string service, string account)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUrl, path.TrimStart('/')));
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={account}/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    private static async Task<(HttpStatusCode, JsonNode?)> SendAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
