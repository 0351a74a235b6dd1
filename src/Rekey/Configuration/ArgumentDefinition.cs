namespace Rekey.Configuration;

/// <summary>How an argument is written and where its value may also come from.</summary>
/// <param name="Name">The name after the two dashes.</param>
/// <param name="Description">One line for <c>--help</c> and the documentation.</param>
/// <param name="IsFlag">A flag may be given bare (<c>--create-key</c>) or as <c>--create-key=false</c>.</param>
/// <param name="EnvironmentVariables">Read, in order, when the argument is absent (a workflow sets these).</param>
public sealed record ArgumentDefinition(
    string Name,
    string Description,
    bool IsFlag = false,
    params string[] EnvironmentVariables)
{
    /// <summary>
    /// The value may hold any text (a path, a free name); every other value is ASCII, as AWS writes identifiers,
    /// so a look-alike character (an Arabic-Indic digit, a Kelvin sign) is refused rather than read as its ASCII twin.
    /// </summary>
    public bool AnyText { get; init; }
}
