using System.Globalization;
using Cake.Core;
using Spectre.Console;

namespace Cake.Frosting.Internal;

/// <summary>Cake's console over Spectre.Console, so the log and the task report share one redirectable output.</summary>
internal sealed class SpectreCakeConsole(IAnsiConsole output, IAnsiConsole error) : IConsole
{
    public ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public bool SupportAnsiEscapeCodes => false;

    public void Write(string format, params object[] arg) => Emit(output, Format(format, arg), newLine: false);

    public void WriteLine(string format, params object[] arg) => Emit(output, Format(format, arg), newLine: true);

    public void WriteError(string format, params object[] arg) => Emit(error, Format(format, arg), newLine: false);

    public void WriteErrorLine(string format, params object[] arg) => Emit(error, Format(format, arg), newLine: true);

    public void ResetColor()
    {
        ForegroundColor = ConsoleColor.Gray;
        BackgroundColor = ConsoleColor.Black;
    }

    private static string Format(string format, object[] arg) =>
        arg is { Length: > 0 } ? string.Format(CultureInfo.InvariantCulture, format, arg) : format;

    private void Emit(IAnsiConsole console, string text, bool newLine)
    {
        var style = new Style(foreground: Color.FromConsoleColor(ForegroundColor));
        console.Write(new Text(text, style));
        if (newLine)
        {
            console.WriteLine();
        }
    }
}
