using System.Globalization;
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

        await run.Build.SignalAsync("-TERM", wholeGroup: true);

        await AssertCancelledAsync(run, "orders");
    }

    [Fact]
    public async Task SIGINT_to_the_pid_build_sh_was_started_as_stops_the_run_at_a_safe_point_with_a_report_and_exit_130()
    {
        var run = await StartWaitingCutoverAsync("inventory");

        await run.Build.SignalAsync("-INT");

        await AssertCancelledAsync(run, "inventory");
    }

    /// <summary>Starts a restore-swap cutover of <paramref name="cluster"/> through build.sh and returns once it waits for the restore.</summary>
    private async Task<WaitingCutover> StartWaitingCutoverAsync(string cluster)
    {
        // The restore AWS accepted never finishes: the run waits until it is stopped, however slow the machine.
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "RestoreDBClusterToPointInTime" });

        string[] arguments =
        [
            "--target=Cutover", $"--cluster={cluster}", $"--confirm={cluster}", $"--kms-key=alias/signalled-{cluster}", "--create-key",
            "--strategy=restore-swap", $"--run-id=signalled-{cluster}", $"--sns-topic-arn={fixture.TopicArn}",
            .. fixture.CommonArguments,
        ];
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = fixture.Sandbox.BaseUrl.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = Rekey.SandboxRehearsal.SampleAccount.Account,
            ["AWS_SECRET_ACCESS_KEY"] = "signalled",
            ["AWS_REGION"] = AnnouncedSandbox.Region,
        };
        var build = BuildScriptProcess.Start(arguments, line => line.Contains("Waiting for the restore of", StringComparison.Ordinal), environment);
        await build.WaitUntilReadyAsync($"the cutover of {cluster} waited for the restore");

        // The pid that was started is the host itself, and nothing else is left in its group (no `dotnet run` parent, no build server).
        var command = (await File.ReadAllTextAsync($"/proc/{build.Process.Id}/cmdline")).Replace('\0', ' ');
        Assert.Contains("Build.dll", command, StringComparison.Ordinal);
        Assert.Equal([build.Process.Id], ProcessGroup(build.Process.Id));

        return new WaitingCutover(build, fixture.Sandbox.Calls.Find().Count);
    }

    private async Task AssertCancelledAsync(WaitingCutover run, string cluster)
    {
        using (run.Build)
        {
            await run.Build.Process.WaitForExitAsync(run.Build.Deadline.Token);
            var log = run.Build.Output;
            Assert.True(run.Build.Process.ExitCode == ExitCodes.Cancelled, $"exit code {run.Build.Process.ExitCode}:{Environment.NewLine}{log}");
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

    /// <summary>A cutover found waiting for its restore, and how many calls the sandbox had recorded before it was signalled.</summary>
    private sealed record WaitingCutover(BuildScriptProcess Build, int CallsAtSignal);
}
