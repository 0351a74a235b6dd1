using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Rekey.Runtime;
using Rekey.Sandbox.Core;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>
/// build.sh started as a user or a CI runner starts it, in a process group of its own, against an in-test
/// sandbox whose restore never finishes (so the run is always found waiting). The pid that was started must be
/// the host doing the work, and a signal to it or to its group must stop the run at a safe point: the cancelled
/// message, a report, exit 130, and no AWS change after the signal.
/// </summary>
[Collection(Host.BuildScriptCollection.Name)]
public sealed class SignalledBuildScriptTests(AnnouncedSandbox fixture) : IClassFixture<AnnouncedSandbox>
{
    [Fact]
    public async Task SIGTERM_to_the_process_group_of_build_sh_stops_the_run_at_a_safe_point_with_a_report_and_exit_130()
    {
        var run = await StartWaitingCutoverAsync("orders");

        await SignalAsync("-TERM", "--", $"-{run.Process.Id.ToString(CultureInfo.InvariantCulture)}");

        await AssertCancelledAsync(run, "orders");
    }

    [Fact]
    public async Task SIGINT_to_the_pid_build_sh_was_started_as_stops_the_run_at_a_safe_point_with_a_report_and_exit_130()
    {
        var run = await StartWaitingCutoverAsync("inventory");

        await SignalAsync("-INT", run.Process.Id.ToString(CultureInfo.InvariantCulture));

        await AssertCancelledAsync(run, "inventory");
    }

    /// <summary>Starts a restore-swap cutover of <paramref name="cluster"/> through build.sh and returns once it waits for the restore.</summary>
    private async Task<StartedRun> StartWaitingCutoverAsync(string cluster)
    {
        // The restore AWS accepted never finishes: the run waits until it is stopped, however slow the machine.
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "RestoreDBClusterToPointInTime" });

        var root = RepositoryRoot();

        // setsid: a process group of its own, as a CI runner gives a job, so the group can be signalled without the test.
        // env --default-signal: a shell that started this test in the background left SIGINT ignored, and an ignored
        // signal stays ignored across exec; a terminal or a CI runner starts the build with the default disposition.
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        string[] arguments =
        [
            "env", "--default-signal=INT,TERM", "bash", Path.Combine(root, "build.sh"),
            "--target=Cutover", $"--cluster={cluster}", $"--confirm={cluster}", $"--kms-key=alias/signalled-{cluster}", "--create-key",
            "--strategy=restore-swap", $"--run-id=signalled-{cluster}", $"--sns-topic-arn={fixture.TopicArn}",
            .. fixture.CommonArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ENDPOINT_URL"] = fixture.Sandbox.BaseUrl.ToString().TrimEnd('/');
        start.Environment["AWS_ACCESS_KEY_ID"] = Rekey.SandboxRehearsal.SampleAccount.Account;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "signalled";
        start.Environment["AWS_REGION"] = AnnouncedSandbox.Region;
        start.Environment.Remove("GITHUB_ACTIONS");

        var run = new StartedRun(new Process { StartInfo = start });
        run.Process.OutputDataReceived += run.Collect;
        run.Process.ErrorDataReceived += run.Collect;
        run.Process.Start();
        run.Process.BeginOutputReadLine();
        run.Process.BeginErrorReadLine();

        // The first run of build.sh compiles the host, which on a busy machine takes minutes.
        await Task.WhenAny(run.Waiting.Task, run.Process.WaitForExitAsync(run.Deadline.Token)).WaitAsync(run.Deadline.Token);
        Assert.True(run.Waiting.Task.IsCompleted, $"The cutover of {cluster} ended before it waited for the restore:{Environment.NewLine}{run.Output}");

        // The pid that was started is the host itself, and nothing else is left in its group (no `dotnet run` parent, no build server).
        var command = (await File.ReadAllTextAsync($"/proc/{run.Process.Id}/cmdline")).Replace('\0', ' ');
        Assert.Contains("Build.dll", command, StringComparison.Ordinal);
        Assert.Equal([run.Process.Id], ProcessGroup(run.Process.Id));

        run.CallsAtSignal = fixture.Sandbox.Calls.Find().Count;
        return run;
    }

    private async Task AssertCancelledAsync(StartedRun run, string cluster)
    {
        using (run)
        {
            await run.Process.WaitForExitAsync(run.Deadline.Token);
            var log = run.Output;
            Assert.True(run.Process.ExitCode == ExitCodes.Cancelled, $"exit code {run.Process.ExitCode}:{Environment.NewLine}{log}");
            Assert.Contains("Rekey stopped: Cancelled (SIGINT or SIGTERM); rerun to resume.", log, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);

            using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, $"{cluster}-cutover-report.json"))))
            {
                Assert.False(report.RootElement.GetProperty("succeeded").GetBoolean());
                Assert.Contains("Cancelled", report.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
            }

            // Only the announcement of the cancellation went out after the signal; nothing changed in RDS, KMS or anywhere else.
            var after = fixture.Sandbox.Calls.Find().Skip(run.CallsAtSignal).Where(c => c.Mutating && c.Service != "sns").Select(c => $"{c.Service}:{c.Operation}").ToList();
            Assert.True(after.Count == 0, $"AWS changes after the signal: {string.Join(", ", after)}{Environment.NewLine}{log}");
        }
    }

    private static async Task SignalAsync(params string[] arguments)
    {
        using var kill = Process.Start("kill", arguments);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The live processes whose process group is <paramref name="group"/> (Linux's /proc: the fifth field of stat).</summary>
    private static List<int> ProcessGroup(int group)
    {
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // ended meanwhile
            }

            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[2], CultureInfo.InvariantCulture) == group)
            {
                members.Add(pid);
            }
        }

        return members;
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

    private sealed class StartedRun(Process process) : IDisposable
    {
        private readonly StringBuilder _output = new();

        public Process Process { get; } = process;

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>A cap on a stuck run, never a measure: every step waits for an event of its own.</summary>
        public CancellationTokenSource Deadline { get; } = new(TimeSpan.FromMinutes(15));

        public int CallsAtSignal { get; set; }

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

            if (e.Data.Contains("Waiting for the restore of", StringComparison.Ordinal))
            {
                Waiting.TrySetResult();
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
