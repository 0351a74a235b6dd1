using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.SandboxRehearsal;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>
/// <c>./build.sh --target=Sandbox</c> started as a user starts it: its clock speed, a state file that survives a
/// restart, the sample account on request, and SIGTERM as its normal end (a message, the state saved, exit 0).
/// </summary>
[Collection(Host.BuildScriptCollection.Name)]
public sealed partial class SandboxTargetTests : IDisposable
{
    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"rekey-sandbox-target-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_stateFile);

    [Fact]
    public async Task The_Sandbox_target_seeds_the_sample_account_saves_it_on_SIGTERM_exits_0_and_brings_it_back_from_the_state_file()
    {
        using (var first = await StartAsync("--sample", "--clock-speed=60"))
        {
            Assert.Contains("Clock at 60x", first.Output, StringComparison.Ordinal);
            var clusters = await ClusterStatusesAsync(first.BaseUrl);
            Assert.All(SampleAccount.Clusters, sample => Assert.Equal("available", clusters.GetValueOrDefault(sample.Id)));

            await StopAsync(first);
            Assert.Contains($"its state is saved in {_stateFile}", first.Output, StringComparison.Ordinal);
        }

        Assert.Contains(SampleAccount.Clusters[0].Id, await File.ReadAllTextAsync(_stateFile), StringComparison.Ordinal);

        // Restarted on the same state file, the sample account is there and is not seeded twice.
        using var second = await StartAsync("--sample");
        Assert.Contains("not seeded again", second.Output, StringComparison.Ordinal);
        var restored = await ClusterStatusesAsync(second.BaseUrl);
        Assert.All(SampleAccount.Clusters, sample => Assert.Equal("available", restored.GetValueOrDefault(sample.Id)));
        await StopAsync(second);
    }

    [Fact]
    public async Task The_Sandbox_target_refuses_a_clock_speed_that_is_not_positive_with_exit_2()
    {
        using var run = await StartAsync(waitUntilReady: false, "--clock-speed=0");
        await run.Process.WaitForExitAsync(run.Deadline.Token);
        Assert.True(run.Process.ExitCode == 2, $"exit code {run.Process.ExitCode}:{Environment.NewLine}{run.Output}");
        Assert.Contains("clock-speed", run.Output, StringComparison.Ordinal);
    }

    private Task<SandboxRun> StartAsync(params string[] arguments) => StartAsync(waitUntilReady: true, arguments);

    /// <summary>Starts build.sh --target=Sandbox on free ports in a process group of its own and waits until it is ready.</summary>
    private async Task<SandboxRun> StartAsync(bool waitUntilReady, params string[] arguments)
    {
        var root = RepositoryRoot();

        // As SignalledBuildScriptTests: a process group of its own, with SIGINT and SIGTERM at their default disposition.
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        string[] all =
        [
            "env", "--default-signal=INT,TERM", "bash", Path.Combine(root, "build.sh"),
            "--target=Sandbox", "--port=0", "--dns-port=0", "--data-plane=model", $"--state-file={_stateFile}", .. arguments,
        ];
        foreach (var argument in all)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("GITHUB_ACTIONS");
        var run = new SandboxRun(new Process { StartInfo = start });
        run.Process.OutputDataReceived += run.Collect;
        run.Process.ErrorDataReceived += run.Collect;
        run.Process.Start();
        run.Process.BeginOutputReadLine();
        run.Process.BeginErrorReadLine();
        if (waitUntilReady)
        {
            // The first run of build.sh compiles the host, which on a busy machine takes minutes.
            await Task.WhenAny(run.Ready.Task, run.Process.WaitForExitAsync(run.Deadline.Token)).WaitAsync(run.Deadline.Token);
            Assert.True(run.Ready.Task.IsCompleted, $"The sandbox ended before it was ready:{Environment.NewLine}{run.Output}");
        }

        return run;
    }

    private static async Task StopAsync(SandboxRun run)
    {
        using (var kill = Process.Start("kill", ["-TERM", run.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        await run.Process.WaitForExitAsync(run.Deadline.Token);
        Assert.True(run.Process.ExitCode == 0, $"exit code {run.Process.ExitCode}:{Environment.NewLine}{run.Output}");
        Assert.Contains("Sandbox stopped (SIGINT or SIGTERM)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, string?>> ClusterStatusesAsync(Uri baseUrl)
    {
        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = baseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "sandbox-target"),
        });
        using var rds = aws.CreateRds(RegionEndpoint.USEast1);
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters ?? [];
        return clusters.ToDictionary(c => c.DBClusterIdentifier!, c => c.Status, StringComparer.Ordinal);
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

    [GeneratedRegex(@"Sandbox ready: (?<url>http://\S+) ")]
    private static partial Regex ReadyLine();

    private sealed class SandboxRun(Process process) : IDisposable
    {
        private readonly StringBuilder _output = new();

        public Process Process { get; } = process;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Uri BaseUrl { get; private set; } = null!;

        /// <summary>A cap on a stuck run, never a measure: each step waits for an event of its own.</summary>
        public CancellationTokenSource Deadline { get; } = new(TimeSpan.FromMinutes(15));

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (ReadyLine().Match(e.Data) is { Success: true } ready)
            {
                BaseUrl = new Uri(ready.Groups["url"].Value);
                Ready.TrySetResult();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
            Deadline.Dispose();
        }
    }
}
