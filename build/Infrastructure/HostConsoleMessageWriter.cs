using System.Globalization;
using Cake.Common.Build;
using Spectre.Console;

namespace Rekey.Build.Infrastructure;

/// <summary>
/// Writes Cake's build-system commands (<c>::group::</c>, <c>::error::</c>, ...) to the host's console. Straight
/// to its writer: a command must start its line and stay one line, so no colour, no markup, no wrapping.
/// </summary>
public sealed class HostConsoleMessageWriter(IAnsiConsole console) : IBuildSystemServiceMessageWriter
{
    public void Write(string format, params object[] args)
    {
        var writer = console.Profile.Out.Writer;
        writer.WriteLine(string.Format(CultureInfo.InvariantCulture, format, args));
        writer.Flush();
    }
}
