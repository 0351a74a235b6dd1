namespace Rekey.Waiting;

/// <summary>A wait for AWS ran past its deadline; the message says what was awaited and what was last seen.</summary>
public sealed class WaitTimeoutException : Exception
{
    public WaitTimeoutException()
    {
    }

    public WaitTimeoutException(string message)
        : base(message)
    {
    }

    public WaitTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
