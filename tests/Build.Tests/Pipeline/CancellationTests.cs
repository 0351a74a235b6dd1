using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Rekey.Runtime;
using Rekey.Sandbox.SNS;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>A cutover stopped by SIGTERM (what a cancelled CI job sends) in a real build process.</summary>
public sealed class CancellationTests(AnnouncedSandbox fixture) : IClassFixture<AnnouncedSandbox>
{
    [Fact]
    public async Task SIGTERM_mid_wait_announces_the_cancellation_writes_the_report_exits_cancelled_and_a_rerun_converges()
    {
        string[] cutover =
        [
            "--target=Cutover", "--cluster=orders", "--confirm=orders", "--kms-key=alias/cancelled", "--create-key",
            $"--sns-topic-arn={fixture.TopicArn}",

            // A restore-swap's wait for the restore is what SIGTERM interrupts here (the sample is Blue/Green eligible).
            "--strategy=restore-swap",

            // The rerun resumes the cancelled run, which still holds the cluster's lock.
            "--run-id=sigterm-1",
        ];
        var build = Path.Combine(AppContext.BaseDirectory, "Build.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(build);
        foreach (var argument in cutover.Concat(fixture.CommonArguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ENDPOINT_URL"] = fixture.Sandbox.BaseUrl.ToString().TrimEnd('/');
        start.Environment["AWS_ACCESS_KEY_ID"] = Rekey.SandboxRehearsal.SampleAccount.Account;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "cancelled";
        start.Environment["AWS_REGION"] = AnnouncedSandbox.Region;
        start.Environment.Remove("GITHUB_ACTIONS");

        var output = new StringBuilder();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Waiting for", StringComparison.Ordinal))
            {
                waiting.TrySetResult();
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Task.WhenAny(waiting.Task, process.WaitForExitAsync(deadline.Token)).WaitAsync(deadline.Token);
        Assert.True(waiting.Task.IsCompleted, "The cutover ended before it waited:" + Environment.NewLine + output);

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(deadline.Token);
        }

        await process.WaitForExitAsync(deadline.Token);
        var log = output.ToString();
        Assert.True(process.ExitCode == ExitCodes.Cancelled, $"exit code {process.ExitCode}:{Environment.NewLine}{log}");

        var last = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn)
            .Last(m => m.MessageAttributes["cluster"].StringValue == "orders");
        Assert.Equal("cancelled", last.MessageAttributes["status"].StringValue);
        Assert.Contains("rerun resumes", JsonDocument.Parse(last.Message).RootElement.GetProperty("details").GetString(), StringComparison.Ordinal);

        using (var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, "orders-cutover-report.json"))))
        {
            Assert.False(report.RootElement.GetProperty("succeeded").GetBoolean());
            Assert.Contains("Cancelled", report.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        var (rerun, _, _) = await fixture.RunAsync(cutover);
        Assert.True(rerun.ExitCode == 0, rerun.Output);
        Assert.Contains("Verify passed", rerun.Output, StringComparison.Ordinal);
    }
}
