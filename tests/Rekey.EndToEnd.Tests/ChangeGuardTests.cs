using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Rekey.Aws.RDS.Model;
using Rekey.Configuration;
using Rekey.Dns;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Safety;
using Rekey.Sandbox.Core;
using Rekey.State;
using Rekey.Waiting;

namespace Rekey.EndToEnd.Tests;

/// <summary>One guard for every change: every call that changes AWS, from any target, passes it, and it refuses before the call.</summary>
public sealed class ChangeGuardTests
{
    private const string OtherKeyAlias = "alias/rekey-ledger-other";

    [Theory]
    [ChaosSeeds]
    public async Task Every_change_a_restore_swap_cutover_makes_passed_the_guard_and_the_report_lists_exactly_what_AWS_served(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        var result = await sandbox.CutoverAsync("e2e-guard-rs", null, "--strategy=restore-swap");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertReportedChangesAreServedChanges(sandbox, "ledger-cutover-report.json", result);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Every_change_a_blue_green_cutover_makes_passed_the_guard_and_the_report_lists_exactly_what_AWS_served(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);

        var result = await sandbox.CutoverAsync("e2e-guard-bg", null, "--strategy=blue-green", "--sequences-advanced");

        Assert.Contains(result.ExitCode, new[] { 0, ExitCodes.VerificationFailed });
        AssertReportedChangesAreServedChanges(sandbox, "ledger-cutover-report.json", result);
        Assert.Contains(result.MutatingCalls, c => c.Operation == "SwitchoverBlueGreenDeployment");
    }

    [Theory]
    [ChaosSeeds]
    public async Task Of_two_concurrent_blue_green_cutovers_given_different_keys_only_one_reports_success_and_AWS_shows_its_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        string[] Args(string runId, string alias) =>
            [.. sandbox.Arguments("Cutover", runId, $"--confirm={LedgerCluster.Id}", "--strategy=blue-green", "--sequences-advanced").Where(a => !a.StartsWith("--kms-key=", StringComparison.Ordinal)), $"--kms-key={alias}"];

        // Each run signs with its own access key, so the sandbox's log tells whose call each was while both run.
        async Task<HostResult> RunAsOwnCallerAsync(string runId, string alias)
        {
            var accessKeyId = AccountResolver.IssueAccessKeyId(LedgerCluster.Account);
            return (await sandbox.RunAsync(sandbox.CreateAws(accessKeyId: accessKeyId), Args(runId, alias))).CalledWith(accessKeyId);
        }

        var results = await Task.WhenAll(
            Task.Run(() => RunAsOwnCallerAsync("e2e-key-a", LedgerCluster.KeyAlias)),
            Task.Run(() => RunAsOwnCallerAsync("e2e-key-b", OtherKeyAlias)));

        // The PostgreSQL sample stops after its switchover for the sequences (exit code 7) in the run that switched over.
        var winners = results.Select((r, i) => (Result: r, Alias: i == 0 ? LedgerCluster.KeyAlias : OtherKeyAlias))
            .Where(r => r.Result.ExitCode is 0 or ExitCodes.VerificationFailed).ToList();
        Assert.True(winners.Count == 1, string.Join(Environment.NewLine + "----" + Environment.NewLine, results.Select(r => r.ToString())));
        var loser = results.Single(r => r != winners[0].Result);
        Assert.True(loser.ExitCode is ExitCodes.RefusedByPreflight or ExitCodes.ClusterLocked, loser.ToString());
        Assert.DoesNotContain("now uses", loser.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(loser.MutatingCalls, c => c.Operation is "CreateBlueGreenDeployment" or "SwitchoverBlueGreenDeployment");
        Assert.Contains(winners[0].Result.MutatingCalls, c => c.Operation == "CreateBlueGreenDeployment" && c.ErrorCode is null);

        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var winnerKey = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = winners[0].Alias })).KeyMetadata.Arn;
        Assert.Equal(winnerKey, (await ClusterAsync(sandbox)).KmsKeyId);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_switchover_of_another_run_with_another_key_is_refused_at_the_lock_with_no_change(long chaosSeed)
    {
        const string step = "Switchover";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await BlueGreenRecoveryTests.RequireAsync(BlueGreenRecoveryTests.ProvisionGreenAsync(sandbox, "e2e-holder"));
        await CreateOtherKeyAsync(sandbox);

        var result = await sandbox.RunAsync(WithOtherKey(sandbox.Arguments(step, "e2e-intruder", $"--confirm={LedgerCluster.Id}", "--strategy=blue-green", "--exclusive")));

        Assert.True(result.ExitCode == ExitCodes.ClusterLocked, result.ToString());
        Assert.Empty(result.MutatingCalls);
        Assert.Contains("is locked by run e2e-holder", result.Output, StringComparison.Ordinal);
        Assert.Equal("e2e-holder", await LockOfLedgerAsync(sandbox));
    }

    [Theory]
    [InlineData("WaitForGreen", false)]
    [InlineData("VerifyGreen", false)]
    [InlineData("VerifyBlueGreen", false)]
    [InlineData("Switchover", true)]
    public async Task A_step_given_another_key_than_the_one_recorded_is_refused_naming_both_keys_before_it_judges_or_changes_anything(string step, bool freeLock)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(ChaosSeedsAttribute.Seeds[step.Length % ChaosSeedsAttribute.Seeds.Count]);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await BlueGreenRecoveryTests.RequireAsync(BlueGreenRecoveryTests.ProvisionGreenAsync(sandbox, "e2e-holder"));
        var otherKey = await CreateOtherKeyAsync(sandbox);
        if (freeLock)
        {
            await RemoveLockOfLedgerAsync(sandbox);
        }

        var result = await sandbox.RunAsync(WithOtherKey(sandbox.Arguments(step, "e2e-intruder", $"--confirm={LedgerCluster.Id}", "--strategy=blue-green", "--exclusive")));

        Assert.True(result.ExitCode == ExitCodes.RefusedByPreflight, result.ToString());
        Assert.Empty(result.MutatingCalls);
        Assert.Contains(otherKey, result.Output, StringComparison.Ordinal);
        Assert.Contains($"{step} refused", result.Output, StringComparison.Ordinal);
        Assert.Equal(freeLock ? null : "e2e-holder", await LockOfLedgerAsync(sandbox));
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_change_made_outside_any_step_or_outside_its_step_declaration_is_refused_before_it_reaches_AWS(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var settings = new RekeySettings { Cluster = LedgerCluster.Id, Region = LedgerCluster.Region };
        using var run = new RekeyRun(settings, "e2e-direct", sandbox.Aws, new EndpointResolver(null), new WaitSettings(), TimeProvider.System, NullLogger.Instance);
        var before = sandbox.Server.Calls.Snapshot().Count(c => c.Mutating);
        var rename = new ModifyDBClusterRequest { DBClusterIdentifier = LedgerCluster.Id, NewDBClusterIdentifier = "ledger-elsewhere", ApplyImmediately = true };

        var outside = await Assert.ThrowsAsync<UnguardedChangeException>(() => run.Rds.ModifyDBClusterAsync(rename));
        Assert.Contains("outside any step", outside.Message, StringComparison.Ordinal);

        using (run.Step.As("Restore"))
        {
            var undeclared = await Assert.ThrowsAsync<UnguardedChangeException>(() => run.Rds.ModifyDBClusterAsync(rename));
            Assert.Contains("Restore tried to call RDS ModifyDBCluster, which it does not declare", undeclared.Message, StringComparison.Ordinal);
        }

        using (run.Step.As("Restore"))
        {
            // Restore before any fence: the cluster is not renamed and no T1 is recorded.
            var early = await Assert.ThrowsAsync<UnexpectedClusterStateException>(() => run.Rds.RestoreDBClusterToPointInTimeAsync(
                new RestoreDBClusterToPointInTimeRequest { DBClusterIdentifier = "ledger-copy", SourceDBClusterIdentifier = LedgerCluster.Id, UseLatestRestorableTime = true }));
            Assert.Contains("Restore refused RDS RestoreDBClusterToPointInTime: it expects the old cluster is fenced", early.Message, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.RefusedByPreflight, ExitCodes.For(early));
        }

        using (run.Step.As("Verify"))
        {
            var readOnly = await Assert.ThrowsAsync<UnguardedChangeException>(() => run.Rds.DeleteDBClusterAsync(new DeleteDBClusterRequest { DBClusterIdentifier = LedgerCluster.Id, SkipFinalSnapshot = true }));
            Assert.Contains("Verify declares no changes", readOnly.Message, StringComparison.Ordinal);
        }

        using (run.Step.As("Rollback"))
        {
            // Rollback declares DeleteDBCluster, for the new cluster; the old cluster is Cleanup's alone. Here the ledger is the
            // cluster to migrate itself: the guard takes the lock first, then lets the call through to AWS.
            await run.Rds.AddTagsToResourceAsync(new AddTagsToResourceRequest { ResourceName = (await ClusterAsync(sandbox)).DBClusterArn, Tags = [new Rekey.Aws.RDS.Model.Tag { Key = "team", Value = "ledger" }] });
        }

        Assert.Equal(before + 2, sandbox.Server.Calls.Snapshot().Count(c => c.Mutating));
        Assert.Equal([new GuardedChange("Rollback", "RDS AddTagsToResource"), new GuardedChange("Rollback", "RDS AddTagsToResource")], run.Guard.Admitted);
        Assert.Equal("e2e-direct", await LockOfLedgerAsync(sandbox));
    }

    [Fact]
    public void Every_step_that_changes_AWS_declares_its_rules_and_every_declared_operation_is_a_change()
    {
        var changingTasks = typeof(Rekey.Build.RekeyContext).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(typeof(Rekey.Build.Infrastructure.ChangesAwsAttribute), false).Length > 0)
            .Where(t => t.GetCustomAttributes(typeof(Rekey.Build.Infrastructure.CompositeTargetAttribute), false).Length == 0)
            .Select(t => ((Cake.Frosting.TaskNameAttribute)t.GetCustomAttributes(typeof(Cake.Frosting.TaskNameAttribute), false).Single()).Name)
            .ToList();

        Assert.NotEmpty(changingTasks);
        Assert.All(changingTasks, task => Assert.True(StepCatalog.Find(task) is not null, $"{task} changes AWS but declares no rules in StepCatalog"));
        Assert.All(StepCatalog.All.SelectMany(r => r.Changes), operation =>
            Assert.True(Aws.Runtime.AwsOperationKinds.IsChange(operation[..operation.LastIndexOf(' ')], operation[(operation.LastIndexOf(' ') + 1)..]), $"{operation} is declared as a change but only reads"));
    }

    /// <summary>The report's changes, operation by operation, are the changing calls the sandbox served to that run (SNS notices aside).</summary>
    private static void AssertReportedChangesAreServedChanges(EndToEndSandbox sandbox, string reportFile, HostResult result)
    {
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(sandbox.ArtifactsDirectory, reportFile)));
        var reported = report.RootElement.GetProperty("changes").EnumerateArray()
            .Select(c => c.GetProperty("operation").GetString()!)
            .GroupBy(o => o)
            .ToDictionary(g => g.Key, g => g.Count());
        var served = result.MutatingCalls
            .Where(c => c.Service != "sns")
            .Select(c => $"{ServiceId(c)} {c.Operation}")
            .GroupBy(o => o)
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.NotEmpty(served);
        Assert.Equal(served.OrderBy(p => p.Key), reported.OrderBy(p => p.Key));
    }

    private static string ServiceId(CallRecord call) => call.Service switch
    {
        "rds" => "RDS",
        "kms" => "KMS",
        "backup" => "Backup",
        "application-autoscaling" => "Application Auto Scaling",
        var other => other,
    };

    private static string[] WithOtherKey(string[] arguments) =>
        [.. arguments.Where(a => !a.StartsWith("--kms-key=", StringComparison.Ordinal) && a != "--create-key"), $"--kms-key={OtherKeyAlias}"];

    private static async Task<string> CreateOtherKeyAsync(EndToEndSandbox sandbox)
    {
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "another customer managed key" })).KeyMetadata;
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = OtherKeyAlias, TargetKeyId = key.KeyId });
        return key.Arn;
    }

    private static async Task<DBCluster> ClusterAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        return await CutoverTests.DescribeAsync(rds, LedgerCluster.Id);
    }

    private static async Task<string?> LockOfLedgerAsync(EndToEndSandbox sandbox) =>
        (await ClusterAsync(sandbox)).TagList?.FirstOrDefault(t => t.Key == RekeyTags.Lock)?.Value;

    private static async Task RemoveLockOfLedgerAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = await CutoverTests.DescribeAsync(rds, LedgerCluster.Id);
        await rds.RemoveTagsFromResourceAsync(new RemoveTagsFromResourceRequest { ResourceName = cluster.DBClusterArn, TagKeys = [RekeyTags.Lock] });
    }
}
