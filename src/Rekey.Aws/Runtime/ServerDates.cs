using Amazon.Runtime;

namespace Rekey.Aws.Runtime;

/// <summary>AWS's clock as seen on any response from a client made by <see cref="AwsClientFactory"/>.</summary>
public static class ServerDates
{
    /// <summary>
    /// The HTTP Date header of the answer that produced <paramref name="response"/> (second precision, UTC),
    /// or null if the server sent none.
    /// </summary>
    public static DateTimeOffset? ServerDate(this AmazonWebServiceResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response is AwsResponse ours ? ours.ServerDate : ServerDateHandler.Lookup(response);
    }

    /// <summary>Like <see cref="ServerDate"/>, but an answer without a Date is an error: decisions on AWS's clock must not fall back to the local one.</summary>
    public static DateTimeOffset RequireServerDate(this AmazonWebServiceResponse response) =>
        response.ServerDate()
        ?? throw new InvalidOperationException($"The AWS response (request id {response.ResponseMetadata?.RequestId ?? "none"}) carried no HTTP Date header.");
}
