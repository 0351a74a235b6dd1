using System.Diagnostics;

namespace Rekey.Build.Tests.Host;

/// <summary>The host as users start it: through build.sh, as a separate process.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class BuildScriptTests
{
    [Fact]
    public async Task Build_sh_runs_the_host_and_passes_its_exit_code_and_messages_through_an_unknown_target_exits_2()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "build.sh"), "--target=NoSuchStep"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);

        var all = await output + await error;
        Assert.True(process.ExitCode == 2, all);
        Assert.Contains("Unknown target 'NoSuchStep'. The targets are:", all, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "build.sh")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("build.sh not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Runs of build.sh compile the host into one output folder, so they go one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class BuildScriptCollection
{
    public const string Name = "build.sh compiles into one folder";
}
