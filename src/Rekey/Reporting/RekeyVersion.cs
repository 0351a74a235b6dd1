using System.Reflection;

namespace Rekey.Reporting;

/// <summary>Rekey's version and the commit it was built from, as the build stamped them into the assembly.</summary>
public sealed record RekeyVersion(string Version, string? Commit)
{
    /// <summary>This build's: the informational version is "VERSION+COMMIT" when the build knew its git commit.</summary>
    public static RekeyVersion Current { get; } = Parse(
        typeof(RekeyVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RekeyVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown");

    public static RekeyVersion Parse(string informationalVersion)
    {
        ArgumentNullException.ThrowIfNull(informationalVersion);
        var plus = informationalVersion.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? new RekeyVersion(informationalVersion, null) : new RekeyVersion(informationalVersion[..plus], informationalVersion[(plus + 1)..]);
    }

    public override string ToString() => Commit is null ? $"Rekey {Version}" : $"Rekey {Version} (commit {Commit})";
}
