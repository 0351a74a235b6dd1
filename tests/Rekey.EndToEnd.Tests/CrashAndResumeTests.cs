using Rekey.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// The runner dies right after each mutating AWS call in turn (the call succeeded on the server, its
/// answer never arrived, nothing after it ran); the same run started again must converge to the end
/// state of a run that never crashed, with nothing duplicated or left behind.
/// </summary>
public sealed class CrashAndResumeTests(ITestOutputHelper output)
{
    private const string CutoverRun = "e2e-crash-cutover";
    private const string RollbackRun = "e2e-crash-rollback";
    private const string BlueGreenRun = "e2e-crash-blue-green";

    [Theory]
    [ChaosSeeds]
    public async Task Cutover_resumed_after_a_crash_after_any_mutating_call_ends_as_a_run_that_never_crashed(long chaosSeed)
    {
        var (expected, calls) = await CleanEndStateAsync(chaosSeed, sandbox => sandbox.CutoverAsync(CutoverRun, sandbox.Aws));
        AssertOneMigratedCluster(expected);

        var failures = new List<string>();
        for (var n = 1; n <= calls.Count; n++)
        {
            await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
            var crash = new CrashingHttpClientFactory(n);
            var crashed = await sandbox.CutoverAsync(CutoverRun, sandbox.CreateAws(crash));
            var resumed = await sandbox.CutoverAsync(CutoverRun);
            failures.AddRange(await CompareAsync(sandbox, $"crash after call {n} ({calls[n - 1]})", crash, crashed, resumed, expected));
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} crash after call {n} of {calls.Count} ({calls[n - 1]}): {failures.Count} failures so far");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Blue_green_cutover_resumed_after_a_crash_after_any_mutating_call_ends_as_a_run_that_never_crashed(long chaosSeed)
    {
        var (expected, calls) = await CleanEndStateAsync(
            chaosSeed,
            sandbox => BlueGreenCutoverTests.CutoverAsync(sandbox, BlueGreenRun, sandbox.Aws),
            BlueGreenCutoverTests.PrepareAsync);
        Assert.Single(expected.Of("deployment"));
        Assert.Contains(expected.Of("cluster"), l => l.Contains($"\"DBClusterIdentifier\":\"{LedgerCluster.Id}-old1\"", StringComparison.Ordinal));
        Assert.Contains("CreateBlueGreenDeployment", calls);
        Assert.Contains("SwitchoverBlueGreenDeployment", calls);

        var failures = new List<string>();
        for (var n = 1; n <= calls.Count; n++)
        {
            await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
            await BlueGreenCutoverTests.PrepareAsync(sandbox);
            var crash = new CrashingHttpClientFactory(n);
            var crashed = await BlueGreenCutoverTests.CutoverAsync(sandbox, BlueGreenRun, sandbox.CreateAws(crash));
            var resumed = await BlueGreenCutoverTests.CutoverAsync(sandbox, BlueGreenRun);
            failures.AddRange(await CompareAsync(sandbox, $"crash after call {n} ({calls[n - 1]})", crash, crashed, resumed, expected));
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} crash after call {n} of {calls.Count} ({calls[n - 1]}): {failures.Count} failures so far");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Blue_green_rollback_before_the_switchover_resumed_after_a_crash_after_any_mutating_call_ends_as_a_rollback_that_never_crashed(long chaosSeed)
    {
        const string run = "e2e-crash-bg-rollback";
        async Task Arrange(EndToEndSandbox sandbox)
        {
            await BlueGreenCutoverTests.PrepareAsync(sandbox);
            await RequireAsync(BlueGreenRecoveryTests.ProvisionGreenAsync(sandbox, run));
        }

        var (expected, calls) = await CleanEndStateAsync(chaosSeed, sandbox => sandbox.RollbackAsync(run, sandbox.Aws), Arrange);
        Assert.Empty(expected.Of("deployment"));
        Assert.Single(expected.Of("cluster"));
        Assert.Contains("DeleteBlueGreenDeployment", calls);

        var failures = await ResumeAfterEachCrashAsync(chaosSeed, calls, expected, Arrange, (sandbox, aws) => sandbox.RollbackAsync(run, aws));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Blue_green_cleanup_resumed_after_a_crash_after_any_mutating_call_ends_as_a_cleanup_that_never_crashed(long chaosSeed)
    {
        const string run = "e2e-crash-bg-cleanup";
        async Task Arrange(EndToEndSandbox sandbox)
        {
            await BlueGreenCutoverTests.PrepareAsync(sandbox);
            await RequireAsync(BlueGreenCutoverTests.CutoverAsync(sandbox, run));
            sandbox.Server.Clock.Advance(TimeSpan.FromDays(8));
        }

        var (expected, calls) = await CleanEndStateAsync(chaosSeed, sandbox => BlueGreenRecoveryTests.CleanupAsync(sandbox, run, sandbox.Aws), Arrange);
        Assert.Empty(expected.Of("deployment"));
        Assert.Single(expected.Of("cluster"));
        Assert.Contains("CreateDBClusterSnapshot", calls);
        Assert.Contains("DeleteDBCluster", calls);

        var failures = await ResumeAfterEachCrashAsync(chaosSeed, calls, expected, Arrange, (sandbox, aws) => BlueGreenRecoveryTests.CleanupAsync(sandbox, run, aws));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Rollback_resumed_after_a_crash_after_any_mutating_call_ends_as_a_rollback_that_never_crashed(long chaosSeed)
    {
        var (expected, calls) = await CleanEndStateAsync(chaosSeed, async sandbox =>
        {
            await RequireAsync(sandbox.CutoverAsync(CutoverRun));
            return await sandbox.RollbackAsync(RollbackRun, sandbox.Aws);
        });
        Assert.Single(expected.Of("cluster"));
        Assert.Equal(2, expected.Of("instance").Count());
        Assert.Contains(expected.Of("cluster"), l => l.Contains($"\"DBClusterIdentifier\":\"{LedgerCluster.Id}\"", StringComparison.Ordinal) && !l.Contains("rekey:role", StringComparison.Ordinal) && !l.Contains("rekey:lock", StringComparison.Ordinal));

        var failures = new List<string>();
        for (var n = 1; n <= calls.Count; n++)
        {
            await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
            await RequireAsync(sandbox.CutoverAsync(CutoverRun));
            var crash = new CrashingHttpClientFactory(n);
            var crashed = await sandbox.RollbackAsync(RollbackRun, sandbox.CreateAws(crash));
            var resumed = await sandbox.RollbackAsync(RollbackRun);
            failures.AddRange(await CompareAsync(sandbox, $"crash after call {n} ({calls[n - 1]})", crash, crashed, resumed, expected));
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} crash after call {n} of {calls.Count} ({calls[n - 1]}): {failures.Count} failures so far");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    /// <summary>For each crash point: arrange a fresh sandbox, crash the run there, run it again, compare with the clean end state.</summary>
    private async Task<List<string>> ResumeAfterEachCrashAsync(
        long chaosSeed, IReadOnlyList<string> calls, AccountState expected, Func<EndToEndSandbox, Task> arrange, Func<EndToEndSandbox, Rekey.Aws.IAwsClientFactory?, Task<HostResult>> run)
    {
        var failures = new List<string>();
        for (var n = 1; n <= calls.Count; n++)
        {
            await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
            await arrange(sandbox);
            var crash = new CrashingHttpClientFactory(n);
            var crashed = await run(sandbox, sandbox.CreateAws(crash));
            var resumed = await run(sandbox, null);
            failures.AddRange(await CompareAsync(sandbox, $"crash after call {n} ({calls[n - 1]})", crash, crashed, resumed, expected));
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} crash after call {n} of {calls.Count} ({calls[n - 1]}): {failures.Count} failures so far");
        }

        return failures;
    }

    /// <summary>The end state of a run that does not crash, and the mutating calls it made (the crash points).</summary>
    private static async Task<(AccountState State, IReadOnlyList<string> Calls)> CleanEndStateAsync(long chaosSeed, Func<EndToEndSandbox, Task<HostResult>> run, Func<EndToEndSandbox, Task>? arrange = null)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        if (arrange is not null)
        {
            await arrange(sandbox);
        }

        var result = await run(sandbox);
        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = result.MutatingCalls.Select(c => c.Operation).ToList();
        Assert.NotEmpty(calls);
        return (await AccountState.ReadAsync(sandbox.Aws), calls);
    }

    private static async Task<IEnumerable<string>> CompareAsync(
        EndToEndSandbox sandbox, string what, CrashingHttpClientFactory crash, HostResult crashed, HostResult resumed, AccountState expected)
    {
        if (!crash.Crashed || crashed.ExitCode == 0)
        {
            return [$"{what}: the run did not crash (exit code {crashed.ExitCode}, {crash.Succeeded.Count} mutating calls)."];
        }

        if (resumed.ExitCode != 0)
        {
            return [$"{what}: the resumed run failed.{Environment.NewLine}{Tail(resumed.Output)}"];
        }

        var actual = await AccountState.ReadAsync(sandbox.Aws);
        var missing = expected.Lines.Except(actual.Lines).ToList();
        var extra = actual.Lines.Except(expected.Lines).ToList();
        return missing.Count == 0 && extra.Count == 0
            ? []
            : [$"{what}: the end state differs.{Environment.NewLine}missing:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", missing)}{Environment.NewLine}extra:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", extra)}"];
    }

    private static void AssertOneMigratedCluster(AccountState state)
    {
        Assert.Single(state.Of("key"));
        Assert.DoesNotContain(state.Lines, l => l.Contains("orphan", StringComparison.Ordinal));
        Assert.Equal(2, state.Of("cluster").Count());
        Assert.Equal(4, state.Of("instance").Count());
        Assert.Single(state.Of("endpoint"));
    }

    private static async Task RequireAsync(Task<HostResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static string Tail(string output) => string.Join(Environment.NewLine, output.Split('\n').TakeLast(25));
}
