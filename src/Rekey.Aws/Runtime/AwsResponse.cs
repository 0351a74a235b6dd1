using System.Globalization;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace Rekey.Aws.Runtime;

/// <summary>
/// A response that also carries AWS's clock: the HTTP Date header of the answer. Decisions that must
/// be taken on AWS's time (never the runner's) read <see cref="ServerDate"/>.
/// </summary>
public abstract class AwsResponse : AmazonWebServiceResponse
{
    /// <summary>The server's time from the HTTP Date header (second precision), or null if the answer had none.</summary>
    public DateTimeOffset? ServerDate { get; set; }

    /// <summary>AWS's request id (x-amzn-RequestId or the body's ResponseMetadata).</summary>
    public string? RequestId => ResponseMetadata?.RequestId;

    internal static DateTimeOffset? ReadDate(IWebResponseData? response)
    {
        var header = response?.IsHeaderPresent("Date") == true ? response.GetHeaderValue("Date") : null;
        return ParseHttpDate(header);
    }

    /// <summary>Parses an RFC 1123 HTTP date (the only form AWS sends) as UTC.</summary>
    public static DateTimeOffset? ParseHttpDate(string? header) =>
        DateTimeOffset.TryParseExact(header, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;
}
