using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.RestoreSwap;
using Rekey.SandboxRehearsal;
using Rekey.State;
using static Rekey.EndToEnd.Tests.CutoverTests;

namespace Rekey.EndToEnd.Tests;

/// <summary>Each target but Cutover, through the build host against the sandbox.</summary>
public sealed class TargetTests
{
    private static readonly string OldId = LedgerCluster.Id + "-old";

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_passes_the_seeded_cluster_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var before = await AccountState.ReadAsync(sandbox.Aws);

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-preflight"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Preflight passed", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
        Assert.Equal(before.Lines, (await AccountState.ReadAsync(sandbox.Aws)).Lines);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_refuses_a_cluster_that_is_the_source_of_a_zero_ETL_integration_saying_how_to_delete_and_recreate_it_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        const string targetArn = $"arn:aws:redshift-serverless:{LedgerCluster.Region}:{LedgerCluster.Account}:namespace/0e0f6a3c-5d7b-4f7e-9c1a-2b3c4d5e6f70";
        using (var rds = sandbox.Aws.CreateRds(Amazon.RegionEndpoint.GetBySystemName(LedgerCluster.Region)))
        {
            var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusters![0];
            await rds.CreateIntegrationAsync(new CreateIntegrationRequest { SourceArn = cluster.DBClusterArn, TargetArn = targetArn, IntegrationName = "ledger-analytics" });
        }

        var before = await AccountState.ReadAsync(sandbox.Aws);

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-preflight-integration"));

        Assert.True(result.ExitCode != 0, result.ToString());

        // The console wraps long lines at spaces; the words are what matter.
        var words = System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " ");
        foreach (var expected in new[] { "zero-ETL integration ledger-analytics", targetArn, "aws rds delete-integration", "aws rds create-integration" })
        {
            Assert.True(words.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:{Environment.NewLine}{result}");
        }

        Assert.Empty(result.MutatingCalls);
        Assert.Equal(before.Lines, (await AccountState.ReadAsync(sandbox.Aws)).Lines);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_refuses_a_same_account_key_whose_policy_denies_RDSs_use_with_StringNotEquals_on_a_key_absent_from_the_request_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var region = Amazon.RegionEndpoint.GetBySystemName(LedgerCluster.Region);
        const string denySid = "OnlyThroughOurVpcEndpoint";

        // A common hardening: deny key use unless it comes through one VPC endpoint. RDS's requests carry no
        // aws:SourceVpce, so IAM applies the Deny (a negated operator holds for an absent key) and the restore fails.
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Administration","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{LedgerCluster.Account}}:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"{{denySid}}","Effect":"Deny","Principal":"*","Action":["kms:CreateGrant","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
               "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"} } }]}
            """;
        string keyArn;
        using (var kms = sandbox.Aws.CreateKms(region))
        {
            var key = await kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy, BypassPolicyLockoutSafetyCheck = true });
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/vpce-only", TargetKeyId = key.KeyMetadata.KeyId });
            keyArn = key.KeyMetadata.Arn;
        }

        var before = await AccountState.ReadAsync(sandbox.Aws);
        var arguments = sandbox.Arguments("Cutover", "e2e-vpce-only-key", $"--confirm={LedgerCluster.Id}")
            .Where(a => a != "--create-key")
            .Select(a => a.StartsWith("--kms-key=", StringComparison.Ordinal) ? "--kms-key=alias/vpce-only" : a)
            .ToArray();

        var result = await sandbox.RunAsync(arguments);

        Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.RefusedByPreflight, result.ToString());
        var words = System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " ");
        foreach (var expected in new[] { "its key policy does not let", "KMSKeyNotAccessibleFault", $"Deny statement \"{denySid}\"", "StringNotEquals aws:SourceVpce" })
        {
            Assert.True(words.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:{Environment.NewLine}{result}");
        }

        Assert.Empty(result.MutatingCalls);
        Assert.Equal(before.Lines, (await AccountState.ReadAsync(sandbox.Aws)).Lines);

        // The sandbox, which evaluates the policy on its own, refuses a restore onto that key.
        using var rds = sandbox.Aws.CreateRds(region);
        var refused = await Assert.ThrowsAsync<Rekey.Aws.RDS.KMSKeyNotAccessibleException>(() => rds.RestoreDBClusterToPointInTimeAsync(new RestoreDBClusterToPointInTimeRequest
        {
            DBClusterIdentifier = "ledger-probe",
            SourceDBClusterIdentifier = LedgerCluster.Id,
            UseLatestRestorableTime = true,
            KmsKeyId = keyArn,
        }));
        Assert.Equal("KMSKeyNotAccessibleFault", refused.ErrorCode);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Plan_writes_markdown_and_json_naming_the_old_names_and_the_carried_settings(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        var result = await sandbox.RunAsync(sandbox.Arguments("Plan", "e2e-plan"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.MutatingCalls);
        var markdown = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.md"));
        var json = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.json"));
        using var document = JsonDocument.Parse(json);
        foreach (var text in new[] { markdown, json })
        {
            foreach (var expected in new[] { OldId, LedgerCluster.Writer + "-old", LedgerCluster.Reader + "-old", LedgerCluster.CustomEndpoint, "ledger-cluster-pg16", "ledger-instance-pg16", "02:00-02:30", "tue:05:00-tue:05:30", LedgerCluster.RoleArn, "db.r6g.xlarge" })
            {
                Assert.Contains(expected, text, StringComparison.Ordinal);
            }
        }

        Assert.Contains("Rollback", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Plan_with_strategy_auto_on_a_cluster_with_a_managed_master_password_falls_back_to_restore_swap_writes_the_plan_and_refuses_naming_what_each_strategy_needs(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        using (var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region))
        {
            await rds.ModifyDBClusterAsync(new ModifyDBClusterRequest { DBClusterIdentifier = LedgerCluster.Id, ManageMasterUserPassword = true, ApplyImmediately = true });
        }

        var result = await sandbox.RunAsync(sandbox.Arguments("Plan", "e2e-plan-auto", "--strategy=auto"));

        // Restore-swap needs --accept-new-master-secret, so the plan is written and the run is refused.
        Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.RefusedByPreflight, result.ToString());
        Assert.Empty(result.MutatingCalls);
        var words = System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " ");
        Assert.True(words.Contains("restore-swap (auto: Blue/Green is blocked", StringComparison.Ordinal), result.ToString());
        Assert.Contains("Secrets Manager", words, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.json")));
        var markdown = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.md"));
        Assert.Contains("Blue/Green does not support a managed master password", markdown, StringComparison.Ordinal);
        Assert.Contains("--accept-new-master-secret", markdown, StringComparison.Ordinal);
        Assert.Contains("blue-green", markdown, StringComparison.Ordinal);
        Assert.Equal("restore-swap", plan.RootElement.GetProperty("strategy").GetString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task PrepareKey_creates_a_rotating_key_under_the_alias_with_a_policy_for_rds_and_a_rerun_adopts_it(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var arguments = sandbox.Arguments("PrepareKey", "e2e-key", $"--confirm={LedgerCluster.Id}", "--exclusive");

        var first = await sandbox.RunAsync(arguments);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains(first.MutatingCalls, c => c.Operation == "CreateKey");

        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var key = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata;
        Assert.Equal(Amazon.KeyManagementService.KeyManagerType.CUSTOMER, key.KeyManager);
        Assert.Equal(Amazon.KeyManagementService.KeyState.Enabled, key.KeyState);
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).KeyRotationEnabled);
        var policy = (await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" })).Policy;
        Assert.Contains($"arn:aws:iam::{LedgerCluster.Account}:root", policy, StringComparison.Ordinal);
        Assert.Contains($"rds.{LedgerCluster.Region}.amazonaws.com", policy, StringComparison.Ordinal);
        var keysAfterFirst = (await AccountState.ReadAsync(sandbox.Aws)).Of("key").ToList();

        var second = await sandbox.RunAsync(arguments);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain(second.MutatingCalls, c => c.Operation is "CreateKey" or "CreateAlias");
        Assert.Equal(key.Arn, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata.Arn);
        Assert.Equal(keysAfterFirst, (await AccountState.ReadAsync(sandbox.Aws)).Of("key"));
    }

    [Theory]
    [ChaosSeeds]
    public async Task Verify_alone_passes_after_a_cutover_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.CutoverAsync("e2e-verify"));
        var before = await AccountState.ReadAsync(sandbox.Aws);

        var result = await sandbox.RunAsync(sandbox.Arguments("Verify", "e2e-verify-again", "--exclusive", $"--confirm={LedgerCluster.Id}"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Verify passed", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
        Assert.Equal(before.Lines, (await AccountState.ReadAsync(sandbox.Aws)).Lines);
    }

    [Theory]
    [ChaosSeeds(Every = true)]
    public async Task Verify_waits_for_an_instance_name_that_resolves_after_the_cluster_name_and_passes_once_it_does(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.CutoverAsync("e2e-verify"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var name = (await InstancesAsync(rds, LedgerCluster.Id))[^1].Endpoint!.Address!;

        // The instance's name leaves DNS and comes back ten sandbox minutes later; the clock stands still until the test
        // moves it, so the name is missing for as long as the test needs.
        var server = sandbox.Server;
        server.Runtime.Change(() =>
        {
            var now = server.Clock.Pause();
            var entry = server.Dns.Entries.Last(e => e.Name == name.ToLowerInvariant() && e.IsVisibleAt(now));
            var seed = server.Chaos.Seed;
            server.Chaos.Set(null);
            server.Dns.Retire(name, now);
            server.Dns.Publish(entry with { VisibleFrom = now.AddMinutes(10), VisibleUntil = null });
            server.Chaos.Set(seed);
            return now;
        });
        var before = server.Calls.Snapshot().Count;

        var verify = Task.Run(() => sandbox.RunAsync(sandbox.Arguments("Verify", "e2e-verify-late-name", "--exclusive", $"--confirm={LedgerCluster.Id}")));

        // Verify reads the custom endpoints after every instance; only then does the name come back.
        await PollAsync(() => Task.FromResult(verify.IsCompleted || server.Calls.Snapshot().Skip(before).Any(c => c.Operation == "DescribeDBClusterEndpoints")));
        server.Runtime.Change(() => server.Clock.Advance(TimeSpan.FromMinutes(10)));
        server.Runtime.Change(server.Clock.Resume);
        var result = await verify;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Verify passed", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Verify_alone_fails_naming_the_problem_when_a_custom_endpoint_is_missing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.CutoverAsync("e2e-verify"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        await rds.DeleteDBClusterEndpointAsync(new DeleteDBClusterEndpointRequest { DBClusterEndpointIdentifier = LedgerCluster.CustomEndpoint });

        // The deletion ends on the sandbox clock: move it past the deletion instead of waiting for it.
        sandbox.Server.Runtime.Change(() => sandbox.Server.Clock.Advance(sandbox.Server.Runtime.Durations.Modify));
        Assert.DoesNotContain(
            (await rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusterEndpoints ?? [],
            e => e.DBClusterEndpointIdentifier == LedgerCluster.CustomEndpoint);

        var result = await sandbox.RunAsync(sandbox.Arguments("Verify", "e2e-verify-again", "--exclusive", $"--confirm={LedgerCluster.Id}"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Output.Contains(LedgerCluster.CustomEndpoint, StringComparison.Ordinal), result.ToString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task Rollback_after_a_finished_cutover_brings_the_old_cluster_back_under_its_names_and_keeps_a_snapshot_of_the_new_one(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var original = await DescribeAsync(rds, LedgerCluster.Id);
        var names = await EndpointNamesAsync(rds, LedgerCluster.Id);

        // The application writes through the cutover, so the new cluster takes writes: Rollback must keep them in a snapshot.
        await using var application = new WritingApplication(sandbox.Api, LedgerCluster.Id, original.Endpoint!, LedgerCluster.Account, LedgerCluster.Region);
        application.Start();
        await RequireAsync(sandbox.CutoverAsync("e2e-cutover"));
        await PollAsync(async () => (await sandbox.Api.ClusterWritesAsync(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id, CancellationToken.None)).Count > 0);
        await application.StopAsync();

        var result = await sandbox.RollbackAsync("e2e-rollback");

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertRolledBackAsync(sandbox, original, names);
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { SnapshotType = "manual" })).DBClusterSnapshots ?? [];
        Assert.Contains(snapshots, s => s.DBClusterIdentifier == LedgerCluster.Id && s.DBClusterSnapshotIdentifier!.Contains("rollback", StringComparison.Ordinal));
        var kept = snapshots.First(s => s.DBClusterIdentifier == LedgerCluster.Id && s.DBClusterSnapshotIdentifier!.Contains("rollback", StringComparison.Ordinal));
        Assert.True(result.Output.Contains($"they are kept in DB cluster snapshot {kept.DBClusterSnapshotIdentifier}", StringComparison.Ordinal), result.ToString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_finished_cutover_asked_for_another_key_a_missing_alias_or_aws_rds_is_refused_naming_both_keys_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.CutoverAsync("e2e-cutover"));
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var used = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata.Arn;
        var another = await kms.CreateKeyAsync(new CreateKeyRequest());
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/another-key", TargetKeyId = another.KeyMetadata.KeyId });

        foreach (var key in new[] { "alias/another-key", "alias/no-such-key", "alias/aws/rds" })
        {
            var arguments = sandbox.Arguments("Cutover", "e2e-again", $"--confirm={LedgerCluster.Id}")
                .Where(a => a != "--create-key")
                .Select(a => a.StartsWith("--kms-key=", StringComparison.Ordinal) ? $"--kms-key={key}" : a)
                .ToArray();

            var result = await sandbox.RunAsync(arguments);

            Assert.True(result.ExitCode != 0, $"{key}: {result}");
            Assert.True(result.Output.Contains($"was moved by Rekey to key {used}", StringComparison.Ordinal), $"{key}: {result}");
            Assert.True(result.Output.Contains($"--kms-key {key}", StringComparison.Ordinal), $"{key}: {result}");
            Assert.Empty(result.MutatingCalls);
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_run_resumed_after_Fence_with_its_run_id_and_another_key_is_refused_by_each_step_naming_both_keys_with_no_mutating_call_and_resumes_with_its_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.RunAsync(sandbox.Arguments("Fence", "e2e-partial", $"--confirm={LedgerCluster.Id}", "--strategy=restore-swap")));
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var recorded = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata.Arn;
        var another = await kms.CreateKeyAsync(new CreateKeyRequest());
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/another-key", TargetKeyId = another.KeyMetadata.KeyId });

        // Preflight sees it first in a Cutover; Fence and Restore each see it when run alone.
        foreach (var (target, step) in new[] { ("Cutover", "Preflight"), ("Fence", "Fence"), ("Restore", "Restore") })
        {
            var arguments = sandbox.Arguments(target, "e2e-partial", $"--confirm={LedgerCluster.Id}", target == "Cutover" ? "--strategy=restore-swap" : "--exclusive")
                .Where(a => a != "--create-key")
                .Select(a => a.StartsWith("--kms-key=", StringComparison.Ordinal) ? "--kms-key=alias/another-key" : a)
                .ToArray();

            var result = await sandbox.RunAsync(arguments);

            Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.RefusedByPreflight, $"{target}: {result}");
            var words = System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " ");
            foreach (var expected in new[] { $"{step} refused", recorded, another.KeyMetadata.Arn, "--kms-key alias/another-key", "recorded by this run (e2e-partial)", "--run-id=e2e-partial" })
            {
                Assert.True(words.Contains(expected, StringComparison.Ordinal), $"{target}: missing '{expected}' in:{Environment.NewLine}{result}");
            }

            Assert.Empty(result.MutatingCalls);
        }

        // Nothing changed: the same run with the key it fenced for finishes onto that key.
        await RequireAsync(sandbox.CutoverAsync("e2e-partial"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        Assert.Equal(recorded, (await DescribeAsync(rds, LedgerCluster.Id)).KmsKeyId);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Blue_green_asked_for_while_a_restore_swap_cutover_is_under_way_is_refused_with_no_mutating_call(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        // Fenced (renamed), then restored: a restore-swap cutover stopped at each of those steps.
        foreach (var step in new[] { "Fence", "Restore" })
        {
            await RequireAsync(sandbox.RunAsync(sandbox.Arguments(step, "e2e-partial", $"--confirm={LedgerCluster.Id}", "--strategy=restore-swap")));

            var result = await sandbox.CutoverAsync("e2e-partial", null, "--strategy=blue-green");

            Assert.True(result.ExitCode != 0, $"after {step}: {result}");
            Assert.True(result.Output.Contains($"A restore-swap cutover of {LedgerCluster.Id} is under way", StringComparison.Ordinal), $"after {step}: {result}");
            Assert.True(result.Output.Contains($"the old cluster is {OldId}", StringComparison.Ordinal), $"after {step}: {result}");
            Assert.Empty(result.MutatingCalls);
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task Rollback_after_a_cutover_stopped_at_Restore_brings_the_old_cluster_back_and_removes_the_half_built_one(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var original = await DescribeAsync(rds, LedgerCluster.Id);
        var names = await EndpointNamesAsync(rds, LedgerCluster.Id);
        foreach (var step in new[] { "PrepareKey", "Fence", "Restore" })
        {
            await RequireAsync(sandbox.RunAsync(sandbox.Arguments(step, "e2e-partial", $"--confirm={LedgerCluster.Id}", "--exclusive")));
        }

        Assert.Equal(RekeyTags.TargetRole, (await DescribeAsync(rds, LedgerCluster.Id)).TagList!.Single(t => t.Key == RekeyTags.Role).Value);

        var result = await sandbox.RollbackAsync("e2e-partial");

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertRolledBackAsync(sandbox, original, names);

        // Even a half-built cluster keeps a final snapshot: CloudWatch's late, per-minute data never prove it took no writes.
        Assert.Contains(result.MutatingCalls, c => c.Operation == "DeleteDBCluster");
        Assert.Contains((await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { SnapshotType = "manual" })).DBClusterSnapshots ?? [], s => s.DBClusterSnapshotIdentifier == "ledger-rekey-rollback-e2e-partial");
    }

    [Theory]
    [ChaosSeeds]
    public async Task Cleanup_refuses_before_the_holding_period_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.CutoverAsync("e2e-cutover"));

        var result = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-cleanup", $"--confirm={LedgerCluster.Id}"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--min-age", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Cleanup_with_min_age_zero_snapshots_then_deletes_the_old_cluster_and_leaves_the_new_one_untouched(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await RequireAsync(sandbox.CutoverAsync("e2e-cutover"));
        var before = await AccountState.ReadAsync(sandbox.Aws);

        var result = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-cleanup", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Equal(before.Lines.Where(IsNew), after.Lines.Where(IsNew));
        Assert.DoesNotContain(after.Of("cluster"), l => l.Contains($"\"DBClusterIdentifier\":\"{OldId}\"", StringComparison.Ordinal));
        Assert.DoesNotContain(after.Of("instance"), l => l.Contains("-old\"", StringComparison.Ordinal));
        Assert.Contains($"snapshot {Cleanup.FinalSnapshotName(OldId)} of {OldId} available", after.Lines);
        var operations = result.MutatingCalls.Select(c => c.Operation).ToList();
        Assert.True(operations.IndexOf("CreateDBClusterSnapshot") < operations.IndexOf("DeleteDBInstance"), string.Join(", ", operations));

        static bool IsNew(string line) =>
            (line.StartsWith("cluster ", StringComparison.Ordinal) && line.Contains($"\"DBClusterIdentifier\":\"{LedgerCluster.Id}\"", StringComparison.Ordinal))
            || (line.StartsWith("instance ", StringComparison.Ordinal) && !line.Contains("-old\"", StringComparison.Ordinal))
            || line.StartsWith("endpoint ", StringComparison.Ordinal);
    }

    private static async Task AssertRolledBackAsync(EndToEndSandbox sandbox, DBCluster original, IReadOnlyList<string> names)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = await DescribeAsync(rds, LedgerCluster.Id);
        Assert.Equal(original.DbClusterResourceId, cluster.DbClusterResourceId);
        Assert.Equal(original.KmsKeyId, cluster.KmsKeyId);
        Assert.Equal(names, await EndpointNamesAsync(rds, LedgerCluster.Id));
        Assert.Equal(UserTags(original), UserTags(cluster));
        Assert.DoesNotContain(cluster.TagList!, t => t.Key is RekeyTags.Lock or RekeyTags.Role);
        var state = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Single(state.Of("cluster"));
        Assert.Equal(2, state.Of("instance").Count());
        Assert.DoesNotContain(state.Lines, l => l.Contains(OldId, StringComparison.Ordinal));
    }

    private static async Task RequireAsync(Task<HostResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static async Task PollAsync(Func<Task<bool>> condition)
    {
        // The application writes on its own real-time loop, which a loaded machine slows down: a generous deadline.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(20);
        }
    }
}
