using System.Text.Json;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.State;

namespace Rekey.EndToEnd.Tests;

/// <summary>A dress rehearsal's copy left behind by a run that died: Preflight and both Cleanups name it and the command that finishes it, and none of them touches it.</summary>
public sealed class StrayDressRehearsalTests
{
    private const string DressId = LedgerCluster.Id + "-rekey-dress";
    private const string CrashedRun = "e2e-dress-crashed";

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_after_a_dress_rehearsal_that_died_after_its_restore_warns_naming_the_copy_its_run_and_the_command_with_no_mutating_call(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var crash = new CrashingHttpClientFactory { CrashAfterOperation = "RestoreDBClusterToPointInTime" };
        var crashed = await sandbox.RunAsync(sandbox.CreateAws(crash), sandbox.Arguments("DressRehearsal", CrashedRun, $"--confirm={LedgerCluster.Id}"));
        Assert.True(crash.Crashed && crashed.ExitCode != 0, crashed.ToString());
        var before = await CopyAsync(sandbox);
        Assert.NotEmpty(before);

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-preflight-after-dress"));

        AssertNamesTheCopy(result);
        Assert.Empty(result.MutatingCalls);
        Assert.Equal(before, await CopyAsync(sandbox));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Restore_swap_Cleanup_reports_a_dress_rehearsal_copy_left_behind_and_leaves_it_as_it_is(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenRecoveryTests.RequireAsync(sandbox.CutoverAsync("e2e-cutover"));
        await SeedCopyAsync(sandbox);
        var before = await CopyAsync(sandbox);

        var result = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-cleanup", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertNamesTheCopy(result);
        await AssertReportedAsync(sandbox);
        Assert.Equal(before, await CopyAsync(sandbox));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Blue_green_Cleanup_reports_a_dress_rehearsal_copy_left_behind_and_leaves_it_as_it_is(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await BlueGreenRecoveryTests.RequireAsync(BlueGreenCutoverTests.CutoverAsync(sandbox, "e2e-bg-cleanup"));
        await SeedCopyAsync(sandbox);
        var before = await CopyAsync(sandbox);

        var result = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-bg-cleanup", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.MutatingCalls, c => c.Operation == "DeleteBlueGreenDeployment");
        AssertNamesTheCopy(result);
        await AssertReportedAsync(sandbox);
        Assert.Equal(before, await CopyAsync(sandbox));
    }

    /// <summary>The copy as a run that died after its restore leaves it: Rekey's dress rehearsal tags, no instance yet.</summary>
    private static async Task SeedCopyAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        await rds.CreateDBClusterAsync(new CreateDBClusterRequest
        {
            DBClusterIdentifier = DressId,
            Engine = "aurora-postgresql",
            MasterUsername = "ledger",
            MasterUserPassword = "dress-rehearsal-password",
            StorageEncrypted = true,
            Tags =
            [
                new Tag { Key = RekeyTags.Role, Value = Forecast.DressRehearsalCluster.Role },
                new Tag { Key = RekeyTags.Source, Value = LedgerCluster.Id },
                new Tag { Key = RekeyTags.RunId, Value = CrashedRun },
            ],
        });
    }

    private static void AssertNamesTheCopy(HostResult result)
    {
        var flat = Flat(result.Output);
        Assert.True(flat.Contains($"A dress rehearsal's copy {DressId} (", StringComparison.Ordinal), result.ToString());
        Assert.True(flat.Contains($"run {CrashedRun})", StringComparison.Ordinal), result.ToString());
        Assert.True(flat.Contains($"--target=DressRehearsal --cluster={LedgerCluster.Id} --run-id={CrashedRun} --confirm={LedgerCluster.Id}", StringComparison.Ordinal), result.ToString());
    }

    private static async Task AssertReportedAsync(EndToEndSandbox sandbox)
    {
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-cleanup-report.json")));
        var warnings = report.RootElement.EnumerateObject().Single(p => p.Name.Equals("warnings", StringComparison.OrdinalIgnoreCase)).Value;
        Assert.Contains(warnings.EnumerateArray(), w => w.GetString()!.Contains($"A dress rehearsal's copy {DressId}", StringComparison.Ordinal));
    }

    /// <summary>What a change to the copy would alter: its identity, key, tags and instances (not its status, which moves with the clock).</summary>
    private static async Task<List<string>> CopyAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters ?? [];
        var instances = (await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest())).DBInstances ?? [];
        return
        [
            .. clusters.Where(c => c.DBClusterIdentifier == DressId)
                .Select(c => $"cluster {c.DbClusterResourceId} {c.KmsKeyId} {string.Join(',', (c.TagList ?? []).Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal))}"),
            .. instances.Where(i => i.DBClusterIdentifier == DressId).Select(i => $"instance {i.DBInstanceIdentifier} {i.DbiResourceId}"),
        ];
    }

    /// <summary>The console as one line: the host wraps long messages at its width.</summary>
    private static string Flat(string text) => string.Join(' ', text.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
}
