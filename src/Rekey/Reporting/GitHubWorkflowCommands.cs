namespace Rekey.Reporting;

/// <summary>
/// GitHub Actions workflow commands (<c>::group::</c>, <c>::error::</c>, ...), written to standard output
/// by a job step. Values are escaped as the runner expects, so a message with a newline or a colon
/// arrives whole instead of ending the command early.
/// </summary>
public static class GitHubWorkflowCommands
{
    public static string Group(string title) => $"::group::{EscapeData(title)}";

    public static string EndGroup() => "::endgroup::";

    public static string Error(string message, string? title = null) => Annotation("error", message, title);

    public static string Warning(string message, string? title = null) => Annotation("warning", message, title);

    public static string Notice(string message, string? title = null) => Annotation("notice", message, title);

    private static string Annotation(string level, string message, string? title) =>
        title is null
            ? $"::{level}::{EscapeData(message)}"
            : $"::{level} title={EscapeProperty(title)}::{EscapeData(message)}";

    private static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    private static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);
}
