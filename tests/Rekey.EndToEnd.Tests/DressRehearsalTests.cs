using System.Text.Json;
using System.Text.RegularExpressions;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Rekey.EndToEnd.Tests;

/// <summary>The dress rehearsal through the real host against the sandbox: it measures, leaves no copy behind, survives crashes, and refuses a name collision.</summary>
public sealed partial class DressRehearsalTests(ITestOutputHelper output)
{
    private const string RunId = "e2e-dress";
    private const string DressId = LedgerCluster.Id + "-rekey-dress";

    private static string[] Confirmed(EndToEndSandbox sandbox, string runId, params string[] extra) =>
        sandbox.Arguments("DressRehearsal", runId, [$"--confirm={LedgerCluster.Id}", .. extra]);

    [Theory]
    [ChaosSeeds]
    public async Task DressRehearsal_leaves_no_cluster_behind_prints_measured_times_and_the_next_plan_quotes_them(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var before = await AccountState.ReadAsync(sandbox.Aws);

        var result = await sandbox.RunAsync(Confirmed(sandbox, RunId));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"Dress rehearsal of ledger: restore \d+ \w+(, \d+ \w+)?, writer \d+ \w+(, \d+ \w+)? \(db\.r6g\.large\)", Flat(result.Output));
        Assert.Contains(result.MutatingCalls, c => c.Operation == "RestoreDBClusterToPointInTime");
        Assert.Contains(result.MutatingCalls, c => c.Operation == "DeleteDBCluster");
        var after = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Equal(before.Of("cluster").Count(), after.Of("cluster").Count());
        Assert.Equal(before.Of("instance").Count(), after.Of("instance").Count());
        Assert.DoesNotContain(after.Lines, l => l.Contains(DressId, StringComparison.Ordinal));
        Assert.Empty(after.Of("snapshot"));
        Assert.DoesNotContain(after.Of("cluster"), l => l.Contains("rekey:lock", StringComparison.Ordinal));

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, "ledger-dress-rehearsal.json")));
        var measured = report.RootElement.GetProperty("measuredSeconds");
        Assert.True(measured.GetProperty("restore").GetDouble() > 0, report.RootElement.ToString());
        Assert.True(measured.GetProperty("writer").GetDouble() > 0, report.RootElement.ToString());
        Assert.Equal("db.r6g.large", report.RootElement.GetProperty("cost").GetProperty("instanceClass").GetString());
        var markdown = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, "ledger-dress-rehearsal.md"));
        Assert.Contains("| Blue/Green | about 1 minute, at most 5 minutes |", markdown, StringComparison.Ordinal);

        var plan = await sandbox.RunAsync(sandbox.Arguments("Plan", "e2e-dress-plan"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Empty(plan.MutatingCalls);
        var planMarkdown = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, "ledger-plan.md"));
        var restoreSeconds = measured.GetProperty("restore").GetDouble();
        Assert.Contains($"Measured by the dress rehearsal of ", planMarkdown, StringComparison.Ordinal);
        Assert.Contains($"restore {Minutes(restoreSeconds)}", planMarkdown, StringComparison.Ordinal);
        Assert.Matches(@"\(run e2e-dress, \d+ \w+(, \d+ \w+)? ago, on AWS's clock\)", planMarkdown);
        Assert.Contains("Forecast write outage, restore-swap:", planMarkdown, StringComparison.Ordinal);
        Assert.DoesNotContain("No dress rehearsal is recorded", planMarkdown, StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task DressRehearsal_resumed_after_a_crash_after_any_mutating_call_converges_and_leaves_nothing_behind(long chaosSeed)
    {
        List<string> calls;
        AccountState expected;
        await using (var clean = await EndToEndSandbox.StartAsync(chaosSeed))
        {
            var result = await clean.RunAsync(Confirmed(clean, RunId));
            Assert.True(result.ExitCode == 0, result.ToString());
            calls = [.. result.MutatingCalls.Select(c => c.Operation)];
            expected = await AccountState.ReadAsync(clean.Aws);
        }

        var failures = new List<string>();
        for (var n = 1; n <= calls.Count; n++)
        {
            await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
            var crash = new CrashingHttpClientFactory(n);
            var crashed = await sandbox.RunAsync(sandbox.CreateAws(crash), Confirmed(sandbox, RunId));
            var resumed = await sandbox.RunAsync(Confirmed(sandbox, RunId));
            var what = $"crash after call {n} ({calls[n - 1]})";
            if (!crash.Crashed || crashed.ExitCode == 0)
            {
                failures.Add($"{what}: the run did not crash (exit code {crashed.ExitCode}).");
            }
            else if (resumed.ExitCode != 0)
            {
                failures.Add($"{what}: the resumed run failed.{Environment.NewLine}{resumed.Output}");
            }
            else
            {
                var actual = await AccountState.ReadAsync(sandbox.Aws);
                var missing = Measured(expected).Except(Measured(actual)).ToList();
                var extra = Measured(actual).Except(Measured(expected)).ToList();
                if (missing.Count > 0 || extra.Count > 0)
                {
                    failures.Add($"{what}: the end state differs.{Environment.NewLine}missing: {string.Join(Environment.NewLine, missing)}{Environment.NewLine}extra: {string.Join(Environment.NewLine, extra)}");
                }
            }

            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} crash after call {n} of {calls.Count} ({calls[n - 1]}): {failures.Count} failures so far");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    [Theory]
    [ChaosSeeds]
    public async Task DressRehearsal_refuses_a_cluster_that_holds_its_name_and_is_not_its_copy_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        using (var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region))
        {
            await rds.CreateDBClusterAsync(new CreateDBClusterRequest
            {
                DBClusterIdentifier = DressId,
                Engine = "aurora-postgresql",
                MasterUsername = "someone",
                MasterUserPassword = "someone-elses-password",
                StorageEncrypted = true,
            });
        }

        var result = await sandbox.RunAsync(Confirmed(sandbox, RunId));

        // Refused by Preflight, before PrepareKey would create the key: not one change, the key included.
        Assert.Equal(Rekey.Runtime.ExitCodes.RefusedByPreflight, result.ExitCode);
        Assert.Contains($"A cluster named {DressId} exists and is not Rekey's dress rehearsal of ledger", Flat(result.Output), StringComparison.Ordinal);
        Assert.Contains("nothing was changed", Flat(result.Output), StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task DressRehearsal_without_confirm_is_refused_before_any_call(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        var result = await sandbox.RunAsync(sandbox.Arguments("DressRehearsal", RunId));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--confirm=ledger", Flat(result.Output), StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
    }

    /// <summary>The end state with the measured seconds out: two equally good runs measure different times.</summary>
    private static IEnumerable<string> Measured(AccountState state) => state.Lines.Select(l => MeasuredValue().Replace(l, "$1{measured}\""));

    private static string Minutes(double seconds) => Rekey.Reporting.Durations.Text(TimeSpan.FromSeconds(Math.Round(seconds)));

    private static string Flat(string text) => string.Join(' ', text.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex("(\"rekey:dress-[a-z-]+\",\"Value\":\")[^\"]*\"")]
    private static partial Regex MeasuredValue();
}
