using System.Text.RegularExpressions;

namespace Rekey.Build.Tests.Pipeline;

/// <summary><c>./build.sh --target=Sandbox</c> as a user runs it: ready at its ready line, stopped by SIGTERM.</summary>
internal sealed partial class SandboxTargetProcess(BuildScriptProcess run) : IDisposable
{
    public BuildScriptProcess Run { get; } = run;

    /// <summary>Where the sandbox serves AWS's APIs, from its ready line.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public string Output => Run.Output;

    /// <summary>Starts build.sh with <c>--target=Sandbox</c> and <paramref name="arguments"/>; waits for its ready line when asked.</summary>
    public static async Task<SandboxTargetProcess> StartAsync(bool waitUntilReady, IEnumerable<string> arguments)
    {
        var sandbox = new SandboxTargetProcess(BuildScriptProcess.Start(["--target=Sandbox", .. arguments], line => ReadyLine().IsMatch(line)));
        if (waitUntilReady)
        {
            var ready = await sandbox.Run.WaitUntilReadyAsync("the sandbox was ready");
            sandbox.BaseUrl = new Uri(ReadyLine().Match(ready).Groups["url"].Value);
        }

        return sandbox;
    }

    /// <summary>Sends SIGTERM, as an operator's Ctrl-C or a stopped job does, and checks the sandbox's clean end: exit 0, its message, no stack trace.</summary>
    public async Task StopAsync()
    {
        await Run.SignalAsync("-TERM");
        await Run.Process.WaitForExitAsync(Run.Deadline.Token);
        Assert.True(Run.Process.ExitCode == 0, $"exit code {Run.Process.ExitCode}:{Environment.NewLine}{Output}");
        Assert.Contains("Sandbox stopped (SIGINT or SIGTERM)", Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Output, StringComparison.Ordinal);
    }

    public void Dispose() => Run.Dispose();

    [GeneratedRegex(@"Sandbox ready: (?<url>http://\S+) ")]
    private static partial Regex ReadyLine();
}
