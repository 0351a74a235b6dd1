using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace Rekey.Aws.Runtime;

/// <summary>
/// The outermost handler of every client's pipeline: it sees each call once, after the SDK's retries. A call that
/// fails leaves its service, operation and retries on the exception (<see cref="AwsErrors"/> names it as the AWS
/// CLI does); every call is reported to the client's <see cref="IAwsCallObserver"/>, when one is set.
/// </summary>
internal sealed class AwsCallHandler : PipelineHandler
{
    public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        ArgumentNullException.ThrowIfNull(executionContext);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
            Observe(executionContext, started, null);
            return response;
        }
        catch (Exception error)
        {
            Label(executionContext, error);
            Observe(executionContext, started, error);
            throw;
        }
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        ArgumentNullException.ThrowIfNull(executionContext);
        var started = Stopwatch.GetTimestamp();
        try
        {
            base.InvokeSync(executionContext);
            Observe(executionContext, started, null);
        }
        catch (Exception error)
        {
            Label(executionContext, error);
            Observe(executionContext, started, error);
            throw;
        }
    }

    private static void Label(IExecutionContext context, Exception error)
    {
        var request = context.RequestContext;
        error.Data[AwsErrors.ServiceKey] = request.ClientConfig?.ServiceId ?? string.Empty;
        error.Data[AwsErrors.OperationKey] = ChangeGateHandler.OperationName(request);
        error.Data[AwsErrors.RetriesKey] = request.Retries;
    }

    // The SDK names its credential providers by type: environment variables, a profile, web identity (OIDC), SSO, an instance role.
    private static string CredentialSource(IRequestContext request) =>
        request.Identity switch
        {
            null => "none (anonymous)",
            AWSCredentials credentials => credentials.GetType().Name,
            var other => other.GetType().Name,
        };

    private static void Observe(IExecutionContext context, long started, Exception? error)
    {
        var request = context.RequestContext;
        if (AwsCallObservers.Of(request.ClientConfig) is not { } observer)
        {
            return;
        }

        var endpoint = request.Request?.Endpoint?.GetLeftPart(UriPartial.Authority) ?? request.ClientConfig?.ServiceURL ?? "unresolved";
        HttpStatusCode? status = error is AmazonServiceException service ? service.StatusCode : context.ResponseContext?.HttpResponse?.StatusCode;
        observer.Called(new AwsCall(
            request.ClientConfig?.ServiceId ?? string.Empty,
            ChangeGateHandler.OperationName(request),
            endpoint,
            Stopwatch.GetElapsedTime(started),
            request.Retries,
            status,
            error is null ? null : AwsErrors.Describe(error),
            CredentialSource(request))
        {
            ServerDate = AwsResponse.ReadDate(context.ResponseContext?.HttpResponse),
        });
    }
}

/// <summary>One AWS call as it ended: after its retries, with its endpoint, duration and where its credentials came from.</summary>
public sealed record AwsCall(string ServiceId, string Operation, string Endpoint, TimeSpan Duration, int Retries, HttpStatusCode? Status, string? Error, string Credentials)
{
    /// <summary>The HTTP Date of AWS's answer (AWS's clock, whole seconds); null when no answer carried one.</summary>
    public DateTimeOffset? ServerDate { get; init; }

    public override string ToString() =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"AWS {ServiceId} {Operation} at {Endpoint}: {(Status is { } s ? $"HTTP {(int)s}" : "no answer")} in {Duration.TotalMilliseconds:0} ms, " +
            $"{Retries} {(Retries == 1 ? "retry" : "retries")}, credentials from {Credentials}{(Error is null ? string.Empty : $"; {Error}")}");
}

/// <summary>Hears of every AWS call a client makes (diagnostic logging, the run's times on AWS's clock).</summary>
public interface IAwsCallObserver
{
    void Called(AwsCall call);
}

/// <summary>Ties an observer to the configs of the clients it hears (a config is made per client).</summary>
internal static class AwsCallObservers
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IClientConfig, IAwsCallObserver> Observers = new();

    public static void Attach(IClientConfig config, IAwsCallObserver observer) => Observers.AddOrUpdate(config, observer);

    public static IAwsCallObserver? Of(IClientConfig? config) =>
        config is not null && Observers.TryGetValue(config, out var observer) ? observer : null;
}

/// <summary>AWS errors named as the AWS CLI names them, with what a support case needs.</summary>
public static class AwsErrors
{
    internal const string ServiceKey = "Rekey.Aws.Service";
    internal const string OperationKey = "Rekey.Aws.Operation";
    internal const string RetriesKey = "Rekey.Aws.Retries";

    /// <summary>The operation whose call failed with <paramref name="error"/>, when an AWS client raised it.</summary>
    public static string? Operation(Exception error) => error?.Data[OperationKey] as string;

    /// <summary>
    /// "An error occurred (AccessDenied) when calling the DescribeDBClusters operation: MESSAGE (HTTP 403, request id ID)",
    /// the AWS CLI's wording plus the HTTP status, the request id and the retries the SDK made; other exceptions' own message.
    /// </summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is not AmazonServiceException service)
        {
            return error.Message;
        }

        var operation = Operation(error);
        var retries = error.Data[RetriesKey] is int r && r > 0 ? $", after {r} {(r == 1 ? "retry" : "retries")}" : string.Empty;
        var where = operation is null ? string.Empty : $" when calling the {operation} operation";
        var code = string.IsNullOrEmpty(service.ErrorCode) ? "Unknown" : service.ErrorCode;
        return $"An error occurred ({code}){where}: {service.Message} (HTTP {(int)service.StatusCode}, request id {(string.IsNullOrEmpty(service.RequestId) ? "none" : service.RequestId)}{retries})";
    }
}
