using Spectre.Console;

namespace Cake.Frosting.Internal;

/// <summary>
/// The process's consoles. When output goes to a file, a pipe or a CI log there is no terminal to fit,
/// and Spectre would assume 80 columns and break every longer line and table cell; a wide fixed width
/// keeps each line whole and lets tables take the width their content needs.
/// </summary>
public static class ProcessConsole
{
    /// <summary>The width used when output is redirected: wider than any line Rekey writes.</summary>
    public const int RedirectedWidth = 4096;

    public static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    public static IAnsiConsole Output() => Create(Console.Out, Console.IsOutputRedirected);

    public static IAnsiConsole Error() => Create(Console.Error, Console.IsErrorRedirected);
}
