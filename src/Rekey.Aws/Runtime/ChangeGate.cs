using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace Rekey.Aws.Runtime;

/// <summary>One AWS call that changes something, as the gate sees it just before it is sent.</summary>
/// <param name="ServiceId">AWS's service id, as in the client's config ("RDS", "KMS", "Backup", ...).</param>
/// <param name="Operation">The operation's name in AWS's model ("ModifyDBCluster").</param>
/// <param name="Request">The request as the caller built it.</param>
public sealed record AwsChange(string ServiceId, string Operation, AmazonWebServiceRequest Request)
{
    public override string ToString() => $"{ServiceId} {Operation}";
}

/// <summary>
/// Decides, right before a changing call leaves the process, whether it may: by throwing it stops the call before
/// anything is sent. Every client <see cref="AwsClientFactory"/> makes with <see cref="AwsClientOptions.ChangeGate"/>
/// asks it, whatever code made the call, so no call that changes AWS can go around it.
/// </summary>
public interface IChangeGate
{
    Task BeforeChangeAsync(AwsChange change, CancellationToken cancellationToken);
}

/// <summary>
/// A gate that also wants to see each call that changes nothing, just before it is sent: the step footprints (which
/// step read what) are recorded there. Told, never asked: a read is not refused.
/// </summary>
public interface IReadObserver
{
    void BeforeRead(string serviceId, string operation);
}

/// <summary>Which AWS operations change something. Reads (Describe, List, Get) do not; everything else does, but for the few named here.</summary>
public static class AwsOperationKinds
{
    /// <summary>Operations whose names do not say they read, but that change no resource, each with the reason.</summary>
    public static IReadOnlyDictionary<string, string> NotChanges { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["STS AssumeRole"] = "returns temporary credentials; changes no resource",
        ["STS AssumeRoleWithWebIdentity"] = "returns temporary credentials; changes no resource",
        ["SNS Publish"] = "a notification about the run; it must go out even when a step is refused",
        ["KMS Decrypt"] = "a cryptographic use of a key; changes no resource",
        ["KMS Encrypt"] = "a cryptographic use of a key; changes no resource",
        ["KMS GenerateDataKey"] = "a cryptographic use of a key; changes no resource",
        ["KMS GenerateDataKeyWithoutPlaintext"] = "a cryptographic use of a key; changes no resource",
        ["KMS ReEncrypt"] = "a cryptographic use of a key; changes no resource",
        ["KMS Sign"] = "a cryptographic use of a key; changes no resource",
        ["KMS Verify"] = "a cryptographic use of a key; changes no resource",
        ["KMS VerifyMac"] = "a cryptographic use of a key; changes no resource",
        ["KMS GenerateMac"] = "a cryptographic use of a key; changes no resource",
        ["KMS GenerateRandom"] = "returns random bytes; changes no resource",
        ["KMS GenerateDataKeyPair"] = "a cryptographic use of a key; changes no resource",
        ["KMS GenerateDataKeyPairWithoutPlaintext"] = "a cryptographic use of a key; changes no resource",
        ["KMS DeriveSharedSecret"] = "a cryptographic use of a key; changes no resource",
    };

    private static readonly string[] ReadPrefixes = ["Describe", "List", "Get"];

    /// <summary>True when <paramref name="operation"/> of <paramref name="serviceId"/> can change a resource, so the gate must see it.</summary>
    public static bool IsChange(string serviceId, string operation)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(operation);
        return !ReadPrefixes.Any(prefix => operation.StartsWith(prefix, StringComparison.Ordinal)
                && operation.Length > prefix.Length && char.IsUpper(operation[prefix.Length]))
            && !NotChanges.ContainsKey($"{serviceId} {operation}");
    }
}

/// <summary>Ties a gate to the configs of the clients that must ask it (a config is made per client).</summary>
internal static class ChangeGates
{
    private static readonly ConditionalWeakTable<IClientConfig, IChangeGate> Gates = new();

    public static void Attach(IClientConfig config, IChangeGate gate) => Gates.AddOrUpdate(config, gate);

    public static IChangeGate? Of(IClientConfig? config) =>
        config is not null && Gates.TryGetValue(config, out var gate) ? gate : null;
}

/// <summary>
/// The outermost handler of every client's pipeline: a changing call asks the client's gate first, once per call
/// (not once per retry), before it is marshalled or signed.
/// </summary>
internal sealed class ChangeGateHandler : PipelineHandler
{
    public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        ArgumentNullException.ThrowIfNull(executionContext);
        if (Change(executionContext.RequestContext) is { } change && ChangeGates.Of(executionContext.RequestContext.ClientConfig) is { } gate)
        {
            await gate.BeforeChangeAsync(change, executionContext.RequestContext.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            Observe(executionContext.RequestContext);
        }

        return await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        ArgumentNullException.ThrowIfNull(executionContext);
        if (Change(executionContext.RequestContext) is { } change && ChangeGates.Of(executionContext.RequestContext.ClientConfig) is not null)
        {
            // The gate reads AWS before it answers; a synchronous call cannot wait for it, so it is refused outright.
            throw new InvalidOperationException($"{change} was called synchronously; Rekey's changes go through the asynchronous API, where the change gate can read AWS first.");
        }

        Observe(executionContext.RequestContext);

        base.InvokeSync(executionContext);
    }

    private static void Observe(IRequestContext context)
    {
        if (ChangeGates.Of(context.ClientConfig) is IReadObserver observer && Change(context) is null)
        {
            observer.BeforeRead(context.ClientConfig?.ServiceId ?? string.Empty, OperationName(context));
        }
    }

    private static AwsChange? Change(IRequestContext context)
    {
        var serviceId = context.ClientConfig?.ServiceId ?? string.Empty;
        var operation = OperationName(context);
        return AwsOperationKinds.IsChange(serviceId, operation) ? new AwsChange(serviceId, operation, context.OriginalRequest) : null;
    }

    /// <summary>AWS's operation name: the request type's name without its "Request" ending, as every SDK names requests.</summary>
    internal static string OperationName(IRequestContext context)
    {
        var name = context.RequestName ?? context.OriginalRequest?.GetType().Name ?? string.Empty;
        return name.EndsWith("Request", StringComparison.Ordinal) ? name[..^"Request".Length] : name;
    }
}
