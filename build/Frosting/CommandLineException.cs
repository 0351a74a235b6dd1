namespace Cake.Frosting;

/// <summary>
/// The command line cannot be run as given: an unknown target, an option without its value, a word that is no
/// option. Nothing has run. The host's exit code map decides its code (upstream Cake exits 1 for these).
/// </summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException()
    {
    }

    public CommandLineException(string message)
        : base(message)
    {
    }

    public CommandLineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
