using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Protocols;

/// <summary>A REST-JSON request: path parameters from the route template, query, headers, JSON body.</summary>
public sealed class RestJsonRequest(IReadOnlyDictionary<string, string> path, IQueryCollection query, IHeaderDictionary headers, JsonObject body)
{
    public IReadOnlyDictionary<string, string> Path { get; } = path;

    public IQueryCollection Query { get; } = query;

    public IHeaderDictionary Headers { get; } = headers;

    public JsonObject Body { get; } = body;

    public string PathValue(string name) => Path[name];
}

/// <summary>A REST-JSON response: status, body and extra headers.</summary>
public sealed record RestJsonResponse(JsonNode? Body, HttpStatusCode Status = HttpStatusCode.OK)
{
    public static RestJsonResponse Ok(JsonNode? body) => new(body);
}

/// <summary>
/// Base for REST-JSON services (AWS Backup): operations routed by HTTP method and URI template
/// (<c>/backup-vaults/{backupVaultName}</c>, <c>{name+}</c> for greedy labels), JSON bodies,
/// errors with the <c>x-amzn-ErrorType</c> header and a <c>{"message": ...}</c> body.
/// </summary>
public abstract class RestJsonService(SandboxRuntime runtime) : ISandboxService
{
    private readonly List<(string Method, string[] Template, string Operation, bool Mutating, Func<AwsRequestContext, RestJsonRequest, RestJsonResponse> Handler)> _routes = [];

    public abstract string SigningName { get; }

    public virtual IReadOnlyCollection<string> UnsignedOperations => [];

    protected virtual string ThrottlingCode => "ThrottlingException";

    protected SandboxRuntime Runtime => runtime;

    public IReadOnlyCollection<string> Operations => [.. _routes.Select(r => r.Operation)];

    /// <summary>
    /// Records in <see cref="AwsRequestContext.Authorization"/> what IAM evaluates for the call: called under the
    /// state lock before the handler (what exists: named, changed and deleted resources, request tags) and after it
    /// (what the call created).
    /// </summary>
    protected virtual void DescribeForIam(AwsRequestContext request, string operation, RestJsonRequest parsed, bool afterHandler)
    {
    }

    public async Task HandleAsync(AwsRequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var http = request.Http;
        RestJsonResponse response;
        try
        {
            var segments = Split(http.Request.Path.Value ?? "/");
            var route = _routes
                .Select(r => (Route: r, Path: Match(r.Template, segments)))
                .FirstOrDefault(m => m.Path is not null && string.Equals(m.Route.Method, http.Request.Method, StringComparison.OrdinalIgnoreCase));
            if (route.Path is null)
            {
                throw new AwsServiceException("UnknownOperationException", $"No operation for {http.Request.Method} {http.Request.Path}", HttpStatusCode.NotFound);
            }

            var body = await JsonService.ReadBodyAsync(http.Request);
            var parsed = new RestJsonRequest(route.Path, http.Request.Query, http.Request.Headers, body);
            await runtime.DelayAsync(request, route.Route.Operation);
            // What IAM evaluates is known before any fault: a refused or throttled call was still authorized first.
            runtime.Read(() => { DescribeForIam(request, route.Route.Operation, parsed, afterHandler: false); return true; });
            response = runtime.Execute(request, route.Route.Operation, route.Route.Mutating, ThrottlingCode, () =>
            {
                var served = route.Route.Handler(request, parsed);
                DescribeForIam(request, route.Route.Operation, parsed, afterHandler: true);
                return served;
            });
        }
        catch (AwsServiceException error)
        {
            var body = new JsonObject { ["message"] = error.Message };
            foreach (var (name, value) in error.Details ?? [])
            {
                body[name] = value?.DeepClone();
            }

            http.Response.Headers["x-amzn-ErrorType"] = error.Code;
            response = new RestJsonResponse(body, error.Status);
        }

        http.Response.StatusCode = (int)response.Status;
        http.Response.ContentType = "application/json";
        http.Response.Headers["x-amzn-RequestId"] = request.RequestId;
        await http.Response.WriteAsync((response.Body ?? new JsonObject()).ToJsonString(), Encoding.UTF8);
    }

    /// <summary>Registers an operation at a method and URI template from the service's model (http.requestUri).</summary>
    protected void Register(string method, string uriTemplate, string operation, bool mutating, Func<AwsRequestContext, RestJsonRequest, RestJsonResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(uriTemplate);
        var path = uriTemplate.Split('?')[0];
        _routes.Add((method, Split(path), operation, mutating, handler));
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static Dictionary<string, string>? Match(string[] template, string[] segments)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Length; i++)
        {
            var part = template[i];
            if (part.StartsWith('{') && part.EndsWith("+}", StringComparison.Ordinal))
            {
                if (i >= segments.Length)
                {
                    return null;
                }

                values[part[1..^2]] = Uri.UnescapeDataString(string.Join('/', segments[i..]));
                return values;
            }

            if (i >= segments.Length)
            {
                return null;
            }

            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                values[part[1..^1]] = Uri.UnescapeDataString(segments[i]);
            }
            else if (!string.Equals(part, segments[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return template.Length == segments.Length ? values : null;
    }
}
