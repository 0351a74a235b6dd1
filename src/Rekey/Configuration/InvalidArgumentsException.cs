namespace Rekey.Configuration;

/// <summary>
/// Thrown before anything runs when the command line or the environment holds values Rekey cannot use.
/// Every problem found is listed, so one correction round is enough.
/// </summary>
public sealed class InvalidArgumentsException : Exception
{
    public InvalidArgumentsException(IReadOnlyList<string> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    public InvalidArgumentsException()
        : this(["The arguments are not valid."])
    {
    }

    public InvalidArgumentsException(string message)
        : this([message])
    {
    }

    public InvalidArgumentsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public IReadOnlyList<string> Problems { get; }

    private static string FormatMessage(IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? problems[0]
            : $"{problems.Count} arguments need attention:{Environment.NewLine}" +
              string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
}
