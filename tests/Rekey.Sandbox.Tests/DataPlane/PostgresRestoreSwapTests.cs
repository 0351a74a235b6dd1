using System.Diagnostics;
using System.Globalization;
using System.Net;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresRestoreSwapTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task A_restore_swap_on_real_servers_keeps_every_acknowledged_row_and_nothing_reaches_the_old_server_after_t1()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-swap");
        var name = fixture.ClusterEndpoint("pg-swap");
        // Rekey's rehearsal application: Npgsql's pool, the name resolved through the sandbox's DNS at every connect.
        var endpoint = new PostgresEndpoint(new IPEndPoint(IPAddress.Loopback, fixture.Sandbox.DnsPort), port, password: "sandbox-password");
        await using var writer = new PostgresApplication("app", name, endpoint);
        await writer.CreateTableAsync(CancellationToken.None);
        writer.Start();
        await writer.WaitForMoreAsync(20, Patience);

        // Rename, wait for the old name to stop resolving, close the open connections (reboot), then take T1 from AWS's clock.
        await fixture.Query.CallAsync("ModifyDBCluster", [new("DBClusterIdentifier", "pg-swap"), new("NewDBClusterIdentifier", "pg-swap-old"), new("ApplyImmediately", "true")]);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.DnsChange);
        Assert.False((await fixture.ResolveAsync(name)).Exists);
        await fixture.Query.CallAsync("RebootDBInstance", [new("DBInstanceIdentifier", "pg-swap-1")]);

        // AWS's Date has whole seconds: T1 is dated at least a second after the connections closed, or
        // a commit in that same second would fall after the floored T1.
        fixture.Advance(TimeSpan.FromSeconds(2));
        var t1 = await fixture.Query.ServerDateAsync();

        fixture.Advance(fixture.Sandbox.Runtime.Durations.RestorableLag + TimeSpan.FromMinutes(1));
        await WaitUntilRestorableAsync("pg-swap-old", t1);
        await fixture.Query.CallAsync(
            "RestoreDBClusterToPointInTime",
            [new("DBClusterIdentifier", "pg-swap"), new("SourceDBClusterIdentifier", "pg-swap-old"), new("RestoreToTime", QueryXml.Timestamp(t1)),
                new("Port", port.ToString(CultureInfo.InvariantCulture))]);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Restore);
        await fixture.WaitUntilAvailableAsync("pg-swap");
        await writer.WaitForMoreAsync(20, Patience);
        await writer.StopAsync();

        var verdict = await RowVerdict.ReadAsync("pg-swap", endpoint, name, fixture.ClusterEndpoint("pg-swap-old"), writer, CancellationToken.None);
        Assert.True(verdict.RowsInOld >= 20, $"the old server holds {verdict.RowsInOld} rows");
        Assert.Empty(verdict.MissingFromNew);
        Assert.Empty(verdict.OnOldAfterSwitch);
        Assert.True(verdict.Passed);
        Assert.Contains(verdict.FailedBeforeNewAnswered, f => f.Reason.Contains("could not translate host name", StringComparison.Ordinal));

        // The restored server refuses no insert once it answers: its table and sequence came with the WAL.
        // (A DNS query lost on a loaded machine may still fail an insert; that is not the server's doing.)
        Assert.Empty(verdict.RefusedByNewServer);
    }

    /// <summary>Real time the writer may take for a batch of commits: initdb, WAL replay and a loaded machine run outside the sandbox clock.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task WaitUntilRestorableAsync(string identifier, DateTimeOffset time)
    {
        var deadline = Stopwatch.StartNew();
        while (fixture.Read(rds => rds.LatestRestorableTime(rds.FindCluster("111111111111", "us-east-1", identifier)!)) is not { } latest || latest < time)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"{identifier} did not become restorable to {time:O}.");
            await Task.Delay(50);
        }
    }
}
