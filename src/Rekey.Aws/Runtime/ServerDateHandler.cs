using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace Rekey.Aws.Runtime;

/// <summary>
/// Records the HTTP Date of each answer for clients whose response types are not ours (the official
/// KMS and STS clients). Sits just outside the SDK's Unmarshaller so it sees the typed response.
/// </summary>
internal sealed class ServerDateHandler : PipelineHandler
{
    private static readonly ConditionalWeakTable<AmazonWebServiceResponse, StrongBox<DateTimeOffset>> Dates = new();

    public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        var response = await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
        Record(executionContext);
        return response;
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        base.InvokeSync(executionContext);
        Record(executionContext);
    }

    internal static DateTimeOffset? Lookup(AmazonWebServiceResponse response) =>
        Dates.TryGetValue(response, out var box) ? box.Value : null;

    private static void Record(IExecutionContext executionContext)
    {
        var responseContext = executionContext.ResponseContext;
        if (responseContext?.Response is { } response && AwsResponse.ReadDate(responseContext.HttpResponse) is { } date)
        {
            Dates.AddOrUpdate(response, new StrongBox<DateTimeOffset>(date));
        }
    }
}
