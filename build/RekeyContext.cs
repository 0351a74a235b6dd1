using Cake.Core;
using Cake.Frosting;
using Rekey.Configuration;

namespace Rekey.Build;

/// <summary>
/// The context every Rekey task receives: Cake's context plus the settings, read and checked once
/// when the run starts, so a bad argument fails before any step has done anything.
/// </summary>
public sealed class RekeyContext : FrostingContext
{
    public RekeyContext(ICakeContext context)
        : base(context)
    {
        Settings = SettingsReader.Read(
            ArgumentsOf(context.Arguments),
            name => context.Environment.GetEnvironmentVariable(name),
            HostArguments);
    }

    public RekeySettings Settings { get; }

    /// <summary>True when running as a GitHub Actions job (GitHub sets GITHUB_ACTIONS=true on its runners).</summary>
    public bool IsGitHubActions =>
        string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    // The engine's own arguments reach the build among the others; they are not Rekey's to check.
    private static readonly IReadOnlySet<string> HostArguments =
        new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, IReadOnlyList<string?>> ArgumentsOf(ICakeArguments arguments) =>
        arguments.GetArguments()
            .Where(a => !a.Key.StartsWith("settings_", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(
                a => a.Key,
                a => (IReadOnlyList<string?>)a.Value.ToList(),
                StringComparer.OrdinalIgnoreCase);
}
