using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Sandbox.Core;
using static Rekey.EndToEnd.Tests.CutoverTests;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// AWS misbehaving during a cutover: what the SDK absorbs (throttling, a passing 5xx, slow DNS) must not
/// show; what it cannot absorb must stop the run with a message that says what to do, lose nothing, and
/// leave a state Rollback undoes.
/// </summary>
public sealed class FaultTests
{
    private static readonly string OldId = LedgerCluster.Id + "-old";

    [Theory]
    [ChaosSeeds]
    public async Task A_throttling_storm_longer_than_the_sdks_default_attempts_is_absorbed_and_the_cutover_succeeds(long chaosSeed)
    {
        // Five throttles in a row outlast the SDK's default of three attempts; Rekey's clients allow more.
        const int storm = 5;
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Throttle, Service = "rds", Operation = "DescribeDBClusters", Count = storm });

        var result = await sandbox.CutoverAsync("e2e-throttled", sandbox.CreateAws(options: RekeyClientDefaults.Options));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(storm, result.Calls.Count(c => c.Operation == "DescribeDBClusters" && c.ErrorCode == "Throttling"));
        Assert.True(result.Output.Contains("Verify passed", StringComparison.Ordinal), result.ToString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task The_same_throttling_storm_fails_a_client_with_the_sdks_default_attempts(long chaosSeed)
    {
        // The control for the test above: the storm is longer than what the SDK's defaults absorb.
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Throttle, Service = "rds", Operation = "DescribeDBClusters", Count = 5 });

        var result = await sandbox.RunAsync(sandbox.CreateAws(), sandbox.Arguments("Preflight", "e2e-throttled-defaults"));

        Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.AwsFailure, result.ToString());
        Assert.InRange(result.Calls.Count(c => c.Operation == "DescribeDBClusters" && c.ErrorCode == "Throttling"), 1, 4);
        Assert.Empty(result.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_passing_5xx_on_the_rename_is_retried_by_the_sdk_and_the_cutover_succeeds(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Fail, Service = "rds", Operation = "ModifyDBCluster", Count = 1, ErrorCode = "InternalFailure", HttpStatus = 500 });

        var result = await sandbox.CutoverAsync("e2e-5xx");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Calls, c => c.Operation == "ModifyDBCluster" && c.ErrorCode == "InternalFailure");
        Assert.True(result.Output.Contains("Verify passed", StringComparison.Ordinal), result.ToString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_persistent_5xx_on_the_restore_stops_the_cutover_with_the_old_cluster_intact_and_Rollback_works(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var original = await WriteSomeAsync(sandbox);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Fail, Service = "rds", Operation = "RestoreDBClusterToPointInTime", Count = 20, ErrorCode = "InternalFailure", HttpStatus = 500 });

        var result = await sandbox.CutoverAsync("e2e-5xx-restore");

        Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.AwsFailure, result.ToString());
        Assert.True(result.Output.Contains("Rekey stopped: An error occurred (InternalFailure) when calling the RestoreDBClusterToPointInTime operation: The request processing has failed because of an unknown error", StringComparison.Ordinal), result.ToString());
        await AssertOldClusterIntactAsync(sandbox, original, OldId);
        await AssertRollbackWorksAsync(sandbox, original, "e2e-5xx-restore");
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_restore_that_ends_failed_stops_the_cutover_naming_Rollback_with_the_old_cluster_intact_and_Rollback_works(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var original = await WriteSomeAsync(sandbox);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.FailAsync, Service = "rds", Operation = "RestoreDBClusterToPointInTime" });

        var result = await sandbox.CutoverAsync("e2e-restore-failed");

        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Output.Contains("Rekey stopped: The restore of ledger ended failed", StringComparison.Ordinal), result.ToString());
        Assert.True(result.Output.Contains("Rollback", StringComparison.Ordinal), result.ToString());
        await AssertOldClusterIntactAsync(sandbox, original, OldId);
        await AssertRollbackWorksAsync(sandbox, original, "e2e-restore-failed");
    }

    [Theory]
    [ChaosSeeds]
    public async Task An_instance_that_never_becomes_available_times_out_naming_it_and_Rollback_refuses_while_it_is_creating_leaving_the_old_cluster_intact(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var original = await WriteSomeAsync(sandbox);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "CreateDBInstance" });

        var result = await sandbox.CutoverAsync("e2e-instance-hangs", null, "--max-wait=2s");

        Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.WaitTimedOut, result.ToString());
        Assert.True(result.Output.Contains($"Gave up waiting for instance {LedgerCluster.Writer}", StringComparison.Ordinal), result.ToString());
        await AssertOldClusterIntactAsync(sandbox, original, OldId);

        // RDS deletes no instance while it is being created: Rollback stops with RDS's reason and touches nothing of the old cluster.
        var rollback = await sandbox.RollbackAsync("e2e-instance-hangs");
        Assert.NotEqual(0, rollback.ExitCode);
        Assert.True(rollback.Output.Contains("Rekey stopped: An error occurred (InvalidDBInstanceState) when calling the DeleteDBInstance operation: Database instance is creating", StringComparison.Ordinal), rollback.ToString());
        await AssertOldClusterIntactAsync(sandbox, original, OldId);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Slow_DNS_lengthens_the_fence_and_the_cutover_still_succeeds(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.SlowDns, DelaySeconds = 900 });

        var result = await sandbox.CutoverAsync("e2e-slow-dns");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Output.Contains("Verify passed", StringComparison.Ordinal), result.ToString());
    }

    [Theory]
    [ChaosSeeds]
    public async Task DNS_slower_than_the_deadline_stops_the_fence_naming_the_endpoint_and_Rollback_works(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var original = await WriteSomeAsync(sandbox);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.SlowDns, DelaySeconds = 100_000 });

        var result = await sandbox.CutoverAsync("e2e-dns-too-slow", null, "--max-wait=2s");

        Assert.True(result.ExitCode == Rekey.Runtime.ExitCodes.WaitTimedOut, result.ToString());
        Assert.True(result.Output.Contains(".rds.amazonaws.com", StringComparison.Ordinal), result.ToString());
        Assert.DoesNotContain(result.MutatingCalls, c => c.Operation == "RestoreDBClusterToPointInTime");
        sandbox.Server.Faults.Clear();
        await AssertOldClusterIntactAsync(sandbox, original, OldId);
        await AssertRollbackWorksAsync(sandbox, original, "e2e-dns-too-slow");
    }

    /// <summary>Writes a few rows to the ledger cluster so that its data can be counted later; returns the cluster as the sandbox lists it.</summary>
    private static async Task<Rekey.SandboxRehearsal.SandboxCluster> WriteSomeAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = await DescribeAsync(rds, LedgerCluster.Id);
        var connection = await sandbox.Api.OpenAsync(cluster.Endpoint!, LedgerCluster.Account, LedgerCluster.Region, CancellationToken.None);
        Assert.NotNull(connection);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await sandbox.Api.WriteAsync(connection.Id, $"entry-{i}", "booked", CancellationToken.None)).Acknowledged);
        }

        await sandbox.Api.CloseAsync(connection.Id, CancellationToken.None);
        return (await sandbox.Api.ClustersAsync(CancellationToken.None)).Single(c => c.Identifier == LedgerCluster.Id);
    }

    /// <summary>The old cluster, found by its resource id under <paramref name="name"/>, keeps its key and every write.</summary>
    private static async Task AssertOldClusterIntactAsync(EndToEndSandbox sandbox, Rekey.SandboxRehearsal.SandboxCluster original, string name)
    {
        var now = (await sandbox.Api.ClustersAsync(CancellationToken.None)).Single(c => c.ResourceId == original.ResourceId);
        Assert.Equal(name, now.Identifier);
        Assert.Equal(original.KmsKeyId, now.KmsKeyId);
        Assert.Equal(original.Writes, now.Writes);
        Assert.NotEqual("deleting", now.Status);
    }

    /// <summary>Rollback under the stopped run's id: its lock tells other runs to keep off, and the operator resumes it by that id.</summary>
    private static async Task AssertRollbackWorksAsync(EndToEndSandbox sandbox, Rekey.SandboxRehearsal.SandboxCluster original, string runId)
    {
        var rollback = await sandbox.RollbackAsync(runId);
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        await AssertOldClusterIntactAsync(sandbox, original, LedgerCluster.Id);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var names = await EndpointNamesAsync(rds, LedgerCluster.Id);
        Assert.Contains(names, n => n.StartsWith(LedgerCluster.CustomEndpoint + ".", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith(LedgerCluster.Writer + ".", StringComparison.Ordinal));
        var state = await AccountState.ReadAsync(sandbox.Aws);
        Assert.Single(state.Of("cluster"));
        Assert.Equal(2, state.Of("instance").Count());
    }
}
