using System.Net;
using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Protocols;

/// <summary>
/// An AWS error: the protocol writes it as AWS does (Query: ErrorResponse XML; JSON: __type;
/// REST-JSON: x-amzn-ErrorType). Code and status are AWS's for the operation (see the service's
/// model and API reference).
/// </summary>
public sealed class AwsServiceException : Exception
{
    public AwsServiceException(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest, bool senderFault = true)
        : base(message)
    {
        Code = code;
        Status = status;
        SenderFault = senderFault;
    }

    public AwsServiceException()
        : this("InternalFailure", "An internal error occurred.", HttpStatusCode.InternalServerError, senderFault: false)
    {
    }

    public AwsServiceException(string message)
        : this("InternalFailure", message, HttpStatusCode.InternalServerError, senderFault: false)
    {
    }

    public AwsServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "InternalFailure";
        Status = HttpStatusCode.InternalServerError;
    }

    public string Code { get; }

    public HttpStatusCode Status { get; }

    public bool SenderFault { get; }

    /// <summary>Extra members of the error shape for JSON protocols (e.g. Backup's Type, Context).</summary>
    public JsonObject? Details { get; init; }

    public static AwsServiceException InvalidParameterValue(string message) => new("InvalidParameterValue", message);

    public static AwsServiceException InvalidParameterCombination(string message) => new("InvalidParameterCombination", message);

    public static AwsServiceException MissingParameter(string name) =>
        new("MissingParameter", $"The request must contain the parameter {name}");
}
