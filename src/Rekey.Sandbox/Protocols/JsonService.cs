using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Protocols;

/// <summary>
/// Base for AWS JSON 1.0/1.1 services (KMS): POST / with <c>X-Amz-Target: Prefix.Operation</c>,
/// a JSON body in and out, errors as <c>{"__type": code, "message": text}</c>.
/// </summary>
public abstract class JsonService(SandboxRuntime runtime) : ISandboxService
{
    private readonly Dictionary<string, (bool Mutating, Func<AwsRequestContext, JsonObject, JsonNode?> Handler)> _operations =
        new(StringComparer.Ordinal);

    public abstract string SigningName { get; }

    public virtual IReadOnlyCollection<string> UnsignedOperations => [];

    /// <summary>The X-Amz-Target prefix, e.g. TrentService for KMS.</summary>
    protected abstract string TargetPrefix { get; }

    /// <summary>application/x-amz-json-1.1 or -1.0, as the service's model says.</summary>
    protected virtual string ContentType => "application/x-amz-json-1.1";

    protected virtual string ThrottlingCode => "ThrottlingException";

    /// <summary>The error shape's message member: KMS writes "message", Organizations "Message".</summary>
    protected virtual string ErrorMessageMember => "message";

    protected SandboxRuntime Runtime => runtime;

    public IReadOnlyCollection<string> Operations => _operations.Keys;

    /// <summary>
    /// Records in <see cref="AwsRequestContext.Authorization"/> what IAM evaluates for the call: called under the
    /// state lock before the handler (what exists: named, changed and deleted resources, request tags) and after it
    /// (what the call created).
    /// </summary>
    protected virtual void DescribeForIam(AwsRequestContext request, string operation, JsonObject body, bool afterHandler)
    {
    }

    /// <summary>The operation named by X-Amz-Target, for routing.</summary>
    public static string? OperationOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Headers["X-Amz-Target"].ToString();
        var dot = target.LastIndexOf('.');
        return dot < 0 ? null : target[(dot + 1)..];
    }

    public async Task HandleAsync(AwsRequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var http = request.Http;
        JsonNode? result;
        var status = HttpStatusCode.OK;
        try
        {
            var target = http.Request.Headers["X-Amz-Target"].ToString();
            var operationName = target.StartsWith(TargetPrefix + ".", StringComparison.Ordinal) ? target[(TargetPrefix.Length + 1)..] : null;
            if (operationName is null || !_operations.TryGetValue(operationName, out var operation))
            {
                throw new AwsServiceException("UnknownOperationException", $"Unknown operation {target}");
            }

            var body = await ReadBodyAsync(http.Request);
            await runtime.DelayAsync(request, operationName);
            // What IAM evaluates is known before any fault: a refused or throttled call was still authorized first.
            runtime.Read(() => { DescribeForIam(request, operationName, body, afterHandler: false); return true; });
            result = runtime.Execute(request, operationName, operation.Mutating, ThrottlingCode, () =>
            {
                var served = operation.Handler(request, body);
                DescribeForIam(request, operationName, body, afterHandler: true);
                return served;
            });
        }
        catch (AwsServiceException error)
        {
            status = error.Status;
            var body = new JsonObject { ["__type"] = error.Code, [ErrorMessageMember] = error.Message };
            foreach (var (name, value) in error.Details ?? [])
            {
                body[name] = value?.DeepClone();
            }

            result = body;
            http.Response.Headers["x-amzn-ErrorType"] = error.Code;
        }

        http.Response.StatusCode = (int)status;
        http.Response.ContentType = ContentType;
        http.Response.Headers["x-amzn-RequestId"] = request.RequestId;
        await http.Response.WriteAsync((result ?? new JsonObject()).ToJsonString(), Encoding.UTF8);
    }

    /// <summary>Registers an operation; the handler returns the response body (null for an empty object).</summary>
    protected void Register(string operation, bool mutating, Func<AwsRequestContext, JsonObject, JsonNode?> handler) =>
        _operations.Add(operation, (mutating, handler));

    internal static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new AwsServiceException("SerializationException", "The request body must be a JSON object.");
        }
        catch (JsonException error)
        {
            throw new AwsServiceException("SerializationException", error.Message);
        }
    }
}
