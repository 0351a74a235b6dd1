using Amazon.Runtime.Internal;

namespace Rekey.Aws.Runtime;

/// <summary>Builds the message of a typed service exception.</summary>
public static class ServiceErrors
{
    /// <summary>
    /// AWS's own message, unchanged when there is one (for AccessDenied it names the principal, the
    /// action and the resource); otherwise the code and HTTP status, so the error is never blank.
    /// </summary>
    public static string Describe(ErrorResponse error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!string.IsNullOrWhiteSpace(error.Message))
        {
            return error.Message;
        }

        return $"{error.Code ?? "UnknownError"} (HTTP {(int)error.StatusCode} {error.StatusCode}), request id {error.RequestId ?? "none"}";
    }
}
