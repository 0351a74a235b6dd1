using System.Buffers;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;
using Amazon.Runtime.Internal.Util;

namespace Rekey.Aws.Runtime;

// REST-JSON (AWS Backup) and AWS JSON 1.0/1.1 (Organizations) share JSON bodies, value formats and
// error documents; they differ only in how a request names its operation: REST-JSON by method and
// path, AWS JSON by the X-Amz-Target header on a POST to "/".

/// <summary>Starts a REST-JSON request: method, path template (labels filled by AddPathResource), JSON body.</summary>
internal static class RestJsonRequests
{
    public static IRequest Create(AmazonWebServiceRequest request, string serviceName, string method, string path)
    {
        var result = new DefaultRequest(request, serviceName) { HttpMethod = method, ResourcePath = path };
        result.Headers["Content-Type"] = "application/json";
        return result;
    }
}

/// <summary>
/// Starts an AWS JSON request: a POST to "/" naming the operation in X-Amz-Target
/// (&lt;targetPrefix&gt;.&lt;Operation&gt;) with the model's JSON version in the content type.
/// </summary>
internal static class AwsJsonRequests
{
    public static IRequest Create(AmazonWebServiceRequest request, string serviceName, string target, string jsonVersion)
    {
        var result = new DefaultRequest(request, serviceName) { HttpMethod = "POST", ResourcePath = "/" };
        result.Headers["X-Amz-Target"] = target;
        result.Headers["Content-Type"] = "application/x-amz-json-" + jsonVersion;
        return result;
    }
}

/// <summary>Writes a request's JSON body object.</summary>
internal static class JsonBody
{
    public static void Write(IRequest request, Action<Utf8JsonWriter> writeMembers)
    {
        var content = new PooledContentStream();
        request.ContentStream = content;
        using var writer = new Utf8JsonWriter((IBufferWriter<byte>)content.BufferWriter);
        writer.WriteStartObject();
        writeMembers(writer);
        writer.WriteEndObject();
        writer.Flush();
    }
}

/// <summary>JSON value formats of the REST-JSON and AWS JSON protocols.</summary>
internal static class JsonValues
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Timestamps in JSON bodies default to epoch seconds (fractions allowed).</summary>
    public static void WriteEpochSeconds(Utf8JsonWriter writer, DateTime value)
    {
        var seconds = (value.ToUniversalTime() - Epoch).TotalSeconds;
        if (seconds == Math.Floor(seconds))
        {
            writer.WriteNumberValue((long)seconds);
        }
        else
        {
            writer.WriteNumberValue(Math.Round(seconds, 3));
        }
    }

    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(StringUtils.FromSpecialDoubleValue(value));
        }
    }
}

/// <summary>
/// The response side of REST-JSON and AWS JSON: JSON answers, the error type (__type, with any
/// "namespace#" prefix dropped, or x-amzn-ErrorType) mapped to the service's typed exceptions, and the
/// server Date recorded on every response.
/// </summary>
internal abstract class JsonProtocolResponseUnmarshaller : JsonResponseUnmarshaller
{
    public override AmazonWebServiceResponse Unmarshall(JsonUnmarshallerContext input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new StreamingUtf8JsonReader(input.Stream, AWSConfigs.StreamingUtf8JsonReaderBufferSize ?? 4096, input.JsonMaxDepth);
        var response = UnmarshallResponse(input, ref reader);
        response.ServerDate = AwsResponse.ReadDate(input.ResponseData);
        return response;
    }

    public override AmazonServiceException UnmarshallException(JsonUnmarshallerContext input, Exception innerException, System.Net.HttpStatusCode statusCode)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new StreamingUtf8JsonReader(input.Stream, AWSConfigs.StreamingUtf8JsonReaderBufferSize ?? 4096, input.JsonMaxDepth);
        var error = JsonErrorResponseUnmarshaller.GetInstance().Unmarshall(input, ref reader);
        error.InnerException = innerException;
        error.StatusCode = statusCode;
        error.RequestId ??= input.ResponseData?.GetHeaderValue("x-amzn-RequestId");
        return CreateException(error);
    }

    protected abstract AwsResponse UnmarshallResponse(JsonUnmarshallerContext context, ref StreamingUtf8JsonReader reader);

    protected abstract AmazonServiceException CreateException(ErrorResponse error);
}
