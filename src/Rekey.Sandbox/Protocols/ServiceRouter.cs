using System.Net;
using System.Text;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Protocols;

/// <summary>
/// Sends each AWS request to the service named in its SigV4 credential scope. Unsigned requests
/// (STS AssumeRoleWithWebIdentity) go to the service that lists the operation as unsigned.
/// </summary>
public sealed class ServiceRouter(IEnumerable<ISandboxService> services, SandboxRuntime runtime, SecurityToken.StsSessions sessions)
{
    private readonly Dictionary<string, ISandboxService> _bySigningName =
        services.ToDictionary(s => s.SigningName, StringComparer.OrdinalIgnoreCase);

    public async Task RouteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = AccountResolver.Resolve(
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization ? authorization : null,
            context.Request.Query["X-Amz-Credential"].ToString() is { Length: > 0 } presigned ? presigned : null,
            runtime.Options.DefaultRegion);

        ISandboxService? service = null;
        if (caller.SigningName is not null)
        {
            _bySigningName.TryGetValue(caller.SigningName, out service);
        }
        else
        {
            var operation = JsonService.OperationOf(context.Request)
                ?? (context.Request.HasFormContentType ? (await context.Request.ReadFormAsync())["Action"].ToString() : null)
                ?? context.Request.Query["Action"].ToString();
            service = _bySigningName.Values.FirstOrDefault(s => s.UnsignedOperations.Contains(operation));
        }

        if (service is null)
        {
            context.Response.StatusCode = (int)HttpStatusCode.BadRequest;
            context.Response.ContentType = "application/json";
            context.Response.Headers["x-amzn-ErrorType"] = "UnrecognizedClientException";
            await context.Response.WriteAsync(
                $$"""{"__type":"UnrecognizedClientException","message":"The sandbox serves no service named '{{caller.SigningName}}' (serves: {{string.Join(", ", _bySigningName.Keys)}})."}""",
                Encoding.UTF8);
            return;
        }

        var request = new AwsRequestContext(context, caller, service.SigningName, runtime);
        // Who IAM would evaluate the call for: the STS session the key belongs to, else the account itself.
        request.Authorization.Principal = runtime.Read(() => sessions.Find(caller.AccessKeyId)?.AssumedRoleArn) ?? $"arn:aws:iam::{caller.Account}:root";
        await service.HandleAsync(request);
    }
}
