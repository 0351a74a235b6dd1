using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;
using Amazon.Runtime.Internal.Util;

namespace Rekey.Aws.Runtime;

/// <summary>Starts an AWS Query request: a form-encoded POST to "/" with Action and Version.</summary>
internal static class QueryRequests
{
    public static IRequest Create(AmazonWebServiceRequest request, string serviceName, string action, string version)
    {
        var result = new DefaultRequest(request, serviceName) { HttpMethod = "POST", ResourcePath = "/" };
        result.Parameters.Add("Action", action);
        result.Parameters.Add("Version", version);
        return result;
    }
}

/// <summary>Value formats of the AWS Query protocol (and of REST query strings).</summary>
internal static class QueryValues
{
    public static string FromInt(int value) => StringUtils.FromInt(value);

    public static string FromLong(long value) => StringUtils.FromLong(value);

    public static string FromDouble(double value) => StringUtils.FromDouble(value);

    public static string FromBool(bool value) => StringUtils.FromBool(value);

    /// <summary>ISO 8601 in UTC with a Z, as the Query protocol's default timestamp format requires.</summary>
    public static string FromTimestamp(DateTime value) => StringUtils.FromDateTimeToISO8601(value);

    public static string FromBlob(MemoryStream value) => StringUtils.FromMemoryStream(value);

    /// <summary>For flattened lists whose member has its own name: the last part of the key is replaced.</summary>
    public static string ReplaceLastName(string key, string name)
    {
        var dot = key.LastIndexOf('.');
        return dot < 0 ? name : string.Concat(key.AsSpan(0, dot + 1), name);
    }
}

/// <summary>
/// The response side of the Query protocol: XML answers, AWS's Query error document mapped to the
/// service's typed exceptions, and the server Date recorded on every response.
/// </summary>
internal abstract class QueryResponseUnmarshaller : XmlResponseUnmarshaller
{
    public override AmazonWebServiceResponse Unmarshall(XmlUnmarshallerContext input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var response = UnmarshallResponse(input);
        response.ServerDate = AwsResponse.ReadDate(input.ResponseData);
        return response;
    }

    public override AmazonServiceException UnmarshallException(XmlUnmarshallerContext input, Exception innerException, System.Net.HttpStatusCode statusCode)
    {
        ArgumentNullException.ThrowIfNull(input);
        var error = XmlErrorResponseUnmarshaller.GetInstance().Unmarshall(input);
        error.InnerException = innerException;
        error.StatusCode = statusCode;
        if (string.IsNullOrEmpty(error.RequestId) && input.ResponseData?.IsHeaderPresent("x-amzn-RequestId") == true)
        {
            error.RequestId = input.ResponseData.GetHeaderValue("x-amzn-RequestId");
        }

        return CreateException(error);
    }

    protected abstract AwsResponse UnmarshallResponse(XmlUnmarshallerContext context);

    protected abstract AmazonServiceException CreateException(ErrorResponse error);
}
