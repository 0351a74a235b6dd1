using Amazon.KeyManagementService.Model;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Fleet;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox.RDS;

namespace Rekey.EndToEnd.Tests;

/// <summary>Cutover --strategy=blue-green of the Aurora PostgreSQL sample against the sandbox's Blue/Green deployments, with an application writing throughout.</summary>
public sealed class BlueGreenCutoverTests
{
    /// <summary>rds.logical_replication=1 on a copy of the cluster parameter group, the writer rebooted: what Blue/Green needs on Aurora PostgreSQL.</summary>
    internal static async Task PrepareAsync(EndToEndSandbox sandbox)
    {
        var prepared = await sandbox.RunAsync(sandbox.Arguments("PrepareBlueGreenParameters", "e2e-bg-params", [$"--confirm={LedgerCluster.Id}", "--fix-parameter-group"]));
        Assert.True(prepared.ExitCode == 0, prepared.ToString());
    }

    /// <summary>
    /// A Blue/Green cutover to the end as an operator runs it on Aurora PostgreSQL: Cutover stops after the
    /// switchover for the sequences (exit code 7, the query shown); once they are advanced, VerifyBlueGreen
    /// with --sequences-advanced finishes. A Cutover resumed after the switchover finishes at once.
    /// </summary>
    internal static async Task<HostResult> CutoverAsync(EndToEndSandbox sandbox, string runId, Rekey.Aws.IAwsClientFactory? aws = null, params string[] extra)
    {
        var cutover = await sandbox.CutoverAsync(runId, aws, ["--strategy=blue-green", "--sequences-advanced", .. extra]);
        if (cutover.ExitCode != Rekey.Runtime.ExitCodes.VerificationFailed || !cutover.Output.Contains(Rekey.BlueGreen.VerifyBlueGreen.SequenceQuery, StringComparison.Ordinal))
        {
            return cutover;
        }

        var verified = await VerifyAsync(sandbox, runId, aws, "--sequences-advanced");
        return new HostResult(verified.ExitCode, cutover.Output + Environment.NewLine + verified.Output, [.. cutover.Calls, .. verified.Calls]);
    }

    internal static Task<HostResult> VerifyAsync(EndToEndSandbox sandbox, string runId, Rekey.Aws.IAwsClientFactory? aws = null, params string[] extra) =>
        sandbox.RunAsync(aws, sandbox.Arguments("VerifyBlueGreen", runId, [$"--confirm={LedgerCluster.Id}", "--strategy=blue-green", .. extra]));

    [Theory]
    [ChaosSeeds(Every = true)]
    public async Task A_blue_green_cutover_with_a_writing_application_switches_to_the_target_key_under_the_same_names_with_no_write_lost_and_under_a_minute_of_outage(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await PrepareAsync(sandbox);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var before = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusters![0];

        await using var application = new WritingApplication(sandbox.Api, LedgerCluster.Id, before.Endpoint!, LedgerCluster.Account, LedgerCluster.Region);
        application.Start();
        var result = await CutoverAsync(sandbox, "e2e-blue-green");
        await application.StopAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusters![0];
        var oldBlue = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id + "-old1" })).DBClusters![0];
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var cmk = (await kms.DescribeKeyAsync(new Amazon.KeyManagementService.Model.DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata;
        var endpoint = (await rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest { DBClusterEndpointIdentifier = LedgerCluster.CustomEndpoint })).DBClusterEndpoints![0];
        var deployment = sandbox.Server.Runtime.Read(() => sandbox.Server.Get<RdsState>().BlueGreenDeployments.Single());

        // Names and key: green took blue's names and endpoints, on the customer managed key; blue is -old1.
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.Equal(before.ReaderEndpoint, after.ReaderEndpoint);
        Assert.NotEqual(before.DbClusterResourceId, after.DbClusterResourceId);
        Assert.Equal(before.DbClusterResourceId, oldBlue.DbClusterResourceId);
        Assert.Equal(cmk.Arn, after.KmsKeyId);
        Assert.Equal(before.KmsKeyId, oldBlue.KmsKeyId);
        Assert.Equal(
            before.DBClusterMembers!.Select(m => $"{m.DBInstanceIdentifier} writer={m.IsClusterWriter}").Order(),
            after.DBClusterMembers!.Select(m => $"{m.DBInstanceIdentifier} writer={m.IsClusterWriter}").Order());
        Assert.Equal(LedgerCluster.Id, endpoint.DBClusterIdentifier);
        Assert.DoesNotContain(after.TagList ?? [], t => t.Key == State.RekeyTags.Lock);

        // Writes: everything blue acknowledged before the switchover is on the new cluster, nothing reached blue after it.
        var completedAt = deployment.SwitchoverCompletedAt!.Value;
        var newWrites = await sandbox.Api.ClusterWritesAsync(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id, CancellationToken.None);
        var audit = WriteAudit.Of(LedgerCluster.Id, application.Acknowledged, before.DbClusterResourceId!, completedAt, newWrites);
        Assert.True(audit.AcknowledgedByOldBeforeT1 > 0, "the application wrote to blue before the switchover");
        Assert.True(audit.AcknowledgedByNew > 0, "the application wrote to the new cluster after the switchover");
        Assert.Empty(audit.LostBeforeT1);
        Assert.Empty(audit.OldAfterT1);

        // The outage on AWS's clock: writes refused on both sides from the guardrails to the renames.
        var outage = completedAt - deployment.WritesBlockedFrom!.Value;
        Assert.True(outage < TimeSpan.FromSeconds(60), $"the write outage was {outage}");
    }

    [Theory]
    [ChaosSeeds]
    public async Task The_old_blue_a_blue_green_cutover_kept_is_skipped_by_Inventory_and_refused_by_Preflight_Plan_and_Cutover_naming_the_cluster_it_belongs_to_with_no_mutating_call(long chaosSeed)
    {
        var oldBlue = LedgerCluster.Id + "-old1";
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await PrepareAsync(sandbox);
        await RequireAsync(CutoverAsync(sandbox, "e2e-blue-green"));

        var inventory = await sandbox.RunAsync("--target=Inventory", $"--regions={LedgerCluster.Region}", $"--artifacts={sandbox.ArtifactsDirectory}");

        Assert.True(inventory.ExitCode == 0, inventory.ToString());
        var listed = InventoryResult.FromJson(File.ReadAllText(Path.Combine(sandbox.ArtifactsDirectory, "inventory.json")));
        Assert.DoesNotContain(listed, c => c.Cluster == oldBlue);
        Assert.True(inventory.Output.Contains($"{oldBlue}: skipped, the old blue cluster Rekey kept when it moved {LedgerCluster.Id}", StringComparison.Ordinal), inventory.ToString());
        Assert.Empty(inventory.MutatingCalls);

        foreach (var target in new[] { "Preflight", "Plan", "Cutover" })
        {
            var arguments = sandbox.Arguments(target, "e2e-old-blue", $"--confirm={oldBlue}", "--strategy=blue-green")
                .Select(a => a.StartsWith("--cluster=", StringComparison.Ordinal) ? $"--cluster={oldBlue}" : a)
                .ToArray();

            var result = await sandbox.RunAsync(arguments);

            Assert.True(result.ExitCode != 0, $"{target}: {result}");
            Assert.True(result.Output.Contains($"DB cluster {oldBlue} is the old blue Rekey kept when it moved {LedgerCluster.Id}", StringComparison.Ordinal), $"{target}: {result}");
            Assert.True(result.Output.Contains($"Work on --cluster={LedgerCluster.Id}", StringComparison.Ordinal), $"{target}: {result}");
            Assert.Empty(result.MutatingCalls);
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_finished_blue_green_cutover_run_again_with_its_key_has_nothing_to_do_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await PrepareAsync(sandbox);
        await RequireAsync(CutoverAsync(sandbox, "e2e-blue-green"));
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var used = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata.Arn;

        var result = await CutoverAsync(sandbox, "e2e-again");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Output.Contains($"{LedgerCluster.Id} already uses {used}: nothing to do", StringComparison.Ordinal), result.ToString());
        Assert.DoesNotContain("now uses", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_finished_blue_green_cutover_asked_for_another_key_a_missing_alias_or_aws_rds_is_refused_naming_both_keys_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await PrepareAsync(sandbox);
        await RequireAsync(CutoverAsync(sandbox, "e2e-blue-green"));
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var used = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata.Arn;
        var another = await kms.CreateKeyAsync(new CreateKeyRequest());
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/another-key", TargetKeyId = another.KeyMetadata.KeyId });

        foreach (var strategy in new[] { "--strategy=blue-green", "--strategy=auto", "--strategy=restore-swap" })
        {
            foreach (var key in new[] { "alias/another-key", "alias/no-such-key", "alias/aws/rds" })
            {
                var arguments = sandbox.Arguments("Cutover", "e2e-again", $"--confirm={LedgerCluster.Id}", strategy, "--sequences-advanced")
                    .Where(a => a != "--create-key")
                    .Select(a => a.StartsWith("--kms-key=", StringComparison.Ordinal) ? $"--kms-key={key}" : a)
                    .ToArray();

                var result = await sandbox.RunAsync(arguments);

                Assert.True(result.ExitCode != 0, $"{strategy} {key}: {result}");
                Assert.True(result.Output.Contains($"was moved by Rekey to key {used}", StringComparison.Ordinal), $"{strategy} {key}: {result}");
                Assert.True(result.Output.Contains($"--kms-key {key}", StringComparison.Ordinal), $"{strategy} {key}: {result}");
                Assert.DoesNotContain("now uses", result.Output, StringComparison.Ordinal);
                Assert.Empty(result.MutatingCalls);
            }
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task Restore_swap_asked_for_while_a_blue_green_cutover_is_under_way_before_or_after_the_switchover_is_refused_with_no_mutating_call(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await PrepareAsync(sandbox);

        // Stopped after the deployment was created, then after the switchover (before VerifyBlueGreen).
        foreach (var step in new[] { "CreateBlueGreen", "Switchover" })
        {
            await RequireAsync(sandbox.RunAsync(sandbox.Arguments(step, "e2e-blue-green", $"--confirm={LedgerCluster.Id}", "--strategy=blue-green")));

            var result = await sandbox.CutoverAsync("e2e-blue-green", null, "--strategy=restore-swap");

            Assert.True(result.ExitCode != 0, $"after {step}: {result}");
            Assert.True(result.Output.Contains($"A Blue/Green cutover of {LedgerCluster.Id} is under way", StringComparison.Ordinal), $"after {step}: {result}");
            Assert.True(result.Output.Contains("--strategy=restore-swap would fence a cluster with a live Blue/Green deployment", StringComparison.Ordinal), $"after {step}: {result}");
            Assert.Empty(result.MutatingCalls);
        }
    }

    private static async Task RequireAsync(Task<HostResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
