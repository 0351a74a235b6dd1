using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Migration;
using Xunit.Abstractions;

namespace Rekey.EndToEnd.Tests;

/// <summary>PrepareBlueGreenParameters on the ledger cluster (Aurora PostgreSQL, rds.logical_replication at its default 0).</summary>
public sealed class BlueGreenParameterTests(ITestOutputHelper output)
{
    private const string Copy = "rekey-ledger-bluegreen";

    private static string[] Prepare(EndToEndSandbox sandbox, string runId, params string[] extra) =>
        sandbox.Arguments("PrepareBlueGreenParameters", runId, [$"--confirm={LedgerCluster.Id}", .. extra]);

    private static async Task<(DBCluster Cluster, BlueGreenParameterCheck Check)> ReadAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusters![0];
        return (cluster, (await new ClusterParameters(rds).BlueGreenAsync(cluster, CancellationToken.None))!);
    }

    [Theory]
    [ChaosSeeds]
    public async Task The_reader_sees_the_engine_default_of_the_custom_group_and_the_writer_in_sync(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var (cluster, check) = await ReadAsync(sandbox);
        var writerValue = await new ClusterParameters(rds).WriterValueAsync(cluster, "work_mem", CancellationToken.None);

        Assert.Equal("ledger-cluster-pg16", check.ClusterParameterGroup);
        Assert.Equal("0", check.Reading!.Value);
        Assert.Equal("engine-default", check.Reading.Source);
        Assert.True(check.Reading.IsStatic);
        Assert.True(check.WriterInSync);
        Assert.False(check.IsReady);
        Assert.Single(check.Blockers());
        Assert.Equal("ledger-instance-pg16", writerValue!.Group);
        Assert.Contains("--fix-parameter-group", PrepareBlueGreenParameters.Describe(check), StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Without_the_flag_the_cluster_gets_the_copy_and_the_writer_is_left_pending_reboot_then_the_flag_reboots_it_and_a_third_run_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        var first = await sandbox.RunAsync(Prepare(sandbox, "e2e-bg-params"));
        var (_, afterFirst) = await ReadAsync(sandbox);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Copy, afterFirst.ClusterParameterGroup);
        Assert.Equal("1", afterFirst.Reading!.Value);
        Assert.Equal("user", afterFirst.Reading.Source);
        Assert.Equal(ClusterParameters.PendingReboot, afterFirst.WriterClusterParameterGroupStatus);
        Assert.DoesNotContain(first.MutatingCalls, c => c.Operation == "RebootDBInstance");
        Assert.Contains("--fix-parameter-group", first.Output, StringComparison.Ordinal);

        var second = await sandbox.RunAsync(Prepare(sandbox, "e2e-bg-params", "--fix-parameter-group"));
        var (cluster, afterSecond) = await ReadAsync(sandbox);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.True(afterSecond.IsReady, string.Join(" ", afterSecond.Blockers()));
        Assert.Single(second.MutatingCalls, c => c.Operation == "RebootDBInstance");
        Assert.DoesNotContain(second.MutatingCalls, c => c.Operation is "CopyDBClusterParameterGroup" or "ModifyDBClusterParameterGroup" or "ModifyDBCluster");
        Assert.DoesNotContain(cluster.TagList ?? [], t => t.Key == State.RekeyTags.Lock);

        var third = await sandbox.RunAsync(Prepare(sandbox, "e2e-bg-params-again", "--fix-parameter-group"));
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Empty(third.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Without_confirmation_it_refuses_before_any_mutating_call(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        var result = await sandbox.RunAsync(sandbox.Arguments("PrepareBlueGreenParameters", "e2e-bg-unconfirmed", "--fix-parameter-group"));

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains($"--confirm={LedgerCluster.Id}", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Resumed_after_a_crash_after_any_mutating_call_it_ends_with_the_writer_in_sync_on_the_copy(long chaosSeed)
    {
        List<string> calls;
        await using (var clean = await EndToEndSandbox.StartAsync(chaosSeed))
        {
            var result = await clean.RunAsync(Prepare(clean, "e2e-bg-crash", "--fix-parameter-group"));
            Assert.True(result.ExitCode == 0, result.ToString());
            calls = [.. result.MutatingCalls.Select(c => c.Operation)];
        }

        Assert.Contains("CopyDBClusterParameterGroup", calls);
        var failures = new List<string>();
        for (var n = 1; n <= calls.Count; n++)
        {
            await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
            var crash = new CrashingHttpClientFactory(n);
            var crashed = await sandbox.RunAsync(sandbox.CreateAws(crash), Prepare(sandbox, "e2e-bg-crash", "--fix-parameter-group"));
            var resumed = await sandbox.RunAsync(Prepare(sandbox, "e2e-bg-crash", "--fix-parameter-group"));
            var (cluster, check) = await ReadAsync(sandbox);
            var what = $"crash after call {n} ({calls[n - 1]})";
            if (!crash.Crashed || crashed.ExitCode == 0)
            {
                failures.Add($"{what}: the run did not crash");
            }
            else if (resumed.ExitCode != 0)
            {
                failures.Add($"{what}: the resumed run failed{Environment.NewLine}{resumed.Output}");
            }
            else if (!check.IsReady || check.ClusterParameterGroup != Copy || (cluster.TagList ?? []).Any(t => t.Key == State.RekeyTags.Lock))
            {
                failures.Add($"{what}: ended on {check.ClusterParameterGroup} with {string.Join(" ", check.Blockers())}");
            }

            output.WriteLine($"crash after call {n} of {calls.Count} ({calls[n - 1]}): {failures.Count} failures so far");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
