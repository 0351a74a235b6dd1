namespace Rekey.Migration;

/// <summary>Thrown when Verify finds the cutover incomplete; the message lists every problem.</summary>
public sealed class VerificationFailedException : Exception
{
    public VerificationFailedException(IReadOnlyList<string> problems)
        : base($"Verify found {problems.Count} problem(s):{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>A step's own summary line, then every problem.</summary>
    public VerificationFailedException(string summary, IReadOnlyList<string> problems)
        : base(summary + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>A step's own summary line, then every failed check and every essential check not measured.</summary>
    public VerificationFailedException(string summary, Checks.Checklist checks)
        : this(summary, (checks ?? throw new ArgumentNullException(nameof(checks))).Blocking)
    {
    }

    public VerificationFailedException()
        : this(["Verify failed."])
    {
    }

    public VerificationFailedException(string message)
        : this([message])
    {
    }

    public VerificationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }
}
