namespace Rekey.BlueGreen;

/// <summary>Blue/Green switched over and AWS rolled it back, or it was refused: blue is as it was; the step may be run again.</summary>
public sealed class SwitchoverFailedException : Exception
{
    public SwitchoverFailedException()
    {
    }

    public SwitchoverFailedException(string message)
        : base(message)
    {
    }

    public SwitchoverFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SwitchoverFailedException(string message, bool timedOut)
        : base(message)
    {
        TimedOut = timedOut;
    }

    /// <summary>AWS rolled the switchover back at its SwitchoverTimeout, rather than cancelling it at a guardrail or refusing it.</summary>
    public bool TimedOut { get; }
}
