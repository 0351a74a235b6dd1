using Cake.Core;
using Cake.Core.IO;
using Microsoft.Extensions.DependencyInjection;

namespace Rekey.Build.Tests.Host;

/// <summary>
/// Cake's own environment with some variables set or removed (null), for one in-process run: the process's
/// environment is shared by the tests running in parallel, Cake's is the run's.
/// </summary>
public sealed class EnvironmentWith(ICakeEnvironment inner, IReadOnlyDictionary<string, string?> variables) : ICakeEnvironment
{
    public DirectoryPath WorkingDirectory
    {
        get => inner.WorkingDirectory;
        set => inner.WorkingDirectory = value;
    }

    public DirectoryPath UserHomeDirectory => inner.UserHomeDirectory;

    public DirectoryPath ApplicationRoot => inner.ApplicationRoot;

    public ICakePlatform Platform => inner.Platform;

    public ICakeRuntime Runtime => inner.Runtime;

    public DirectoryPath GetSpecialPath(SpecialPath path) => inner.GetSpecialPath(path);

    public string? GetEnvironmentVariable(string variable) =>
        variables.TryGetValue(variable, out var value) ? value : inner.GetEnvironmentVariable(variable);

    public IDictionary<string, string> GetEnvironmentVariables()
    {
        var all = new Dictionary<string, string>(inner.GetEnvironmentVariables(), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in variables)
        {
            if (value is null)
            {
                all.Remove(name);
            }
            else
            {
                all[name] = value;
            }
        }

        return all;
    }

    /// <summary>Replaces the host's environment with Cake's, overlaid with <paramref name="variables"/>.</summary>
    public static void Register(IServiceCollection services, IReadOnlyDictionary<string, string?> variables) =>
        services.AddSingleton<ICakeEnvironment>(provider => new EnvironmentWith(
            new CakeEnvironment(provider.GetRequiredService<ICakePlatform>(), provider.GetRequiredService<ICakeRuntime>()),
            variables));
}
