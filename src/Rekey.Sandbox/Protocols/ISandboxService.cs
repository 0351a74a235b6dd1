using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Protocols;

/// <summary>
/// An AWS service served by the sandbox. Requests are routed by the service name in the SigV4
/// credential scope (<see cref="SigningName"/>: rds, sts, kms, backup, sns, monitoring, organizations, iam). Derive
/// from <see cref="QueryService"/>, <see cref="JsonService"/> or <see cref="RestJsonService"/>
/// rather than implementing this directly: they parse, dispatch, record and write errors.
/// </summary>
public interface ISandboxService
{
    string SigningName { get; }

    /// <summary>Operations AWS accepts unsigned (e.g. STS AssumeRoleWithWebIdentity); routed by name.</summary>
    IReadOnlyCollection<string> UnsignedOperations { get; }

    Task HandleAsync(AwsRequestContext request);
}

/// <summary>One AWS request on its way to a service.</summary>
public sealed class AwsRequestContext(Microsoft.AspNetCore.Http.HttpContext http, CallerScope caller, string service, SandboxRuntime runtime)
{
    public Microsoft.AspNetCore.Http.HttpContext Http { get; } = http;

    public CallerScope Caller { get; } = caller;

    public string Account => Caller.Account;

    public string Region => Caller.Region;

    /// <summary>The signing name the request was routed by.</summary>
    public string Service { get; } = service;

    public string RequestId { get; } = RandomText.RequestId();

    public SandboxRuntime Runtime { get; } = runtime;

    /// <summary>What IAM would evaluate for this request; the service fills it, the call record keeps it.</summary>
    public CallAuthorization Authorization { get; } = new();
}
