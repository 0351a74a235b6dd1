using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresRestoreSwapTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task A_restore_swap_on_real_servers_keeps_every_acknowledged_row_and_nothing_reaches_the_old_server_after_t1()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-swap");
        var name = fixture.ClusterEndpoint("pg-swap");
        await using (var setup = await fixture.ConnectAsync(name, port))
        {
            await PostgresSandboxFixture.ScalarAsync(setup, "CREATE TABLE writes (id bigserial PRIMARY KEY, key text UNIQUE NOT NULL)");
        }

        await using var writer = new PooledWriter(name, port, fixture.Sandbox.DnsPort);
        writer.Start();
        await writer.WaitForMoreAsync(20);

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
        await writer.WaitForMoreAsync(20);
        await writer.StopAsync();

        var newRows = await KeysAsync(fixture.ClusterEndpoint("pg-swap"), port);
        var oldRows = await KeysAsync(fixture.ClusterEndpoint("pg-swap-old"), port);
        Assert.True(oldRows.Count >= 20, $"the old server holds {oldRows.Count} rows");
        Assert.Empty(writer.Acknowledged.Except(newRows));
        Assert.Empty(oldRows.Except(newRows));
        Assert.Contains(writer.Failures, f => f.Contains("could not translate host name", StringComparison.Ordinal));
    }

    private async Task<IReadOnlyList<string>> KeysAsync(string name, int port)
    {
        await using var connection = await fixture.ConnectAsync(name, port);
        await using var command = new NpgsqlCommand("SELECT key FROM writes ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

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
