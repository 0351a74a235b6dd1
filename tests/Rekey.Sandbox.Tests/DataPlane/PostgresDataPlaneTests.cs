using System.Net;
using Npgsql;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresDataPlaneTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task The_cluster_reader_and_instance_names_resolve_to_one_real_server_that_keeps_rows()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-names");
        var cluster = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "pg-names")!);
        var clusterName = fixture.ClusterEndpoint("pg-names");
        var readerName = Rekey.Sandbox.RDS.RdsState.ReaderEndpointName("111111111111", "us-east-1", "pg-names");
        var instanceName = Rekey.Sandbox.RDS.RdsState.InstanceEndpointName("111111111111", "us-east-1", "pg-names-1");

        await using (var writer = await fixture.ConnectAsync(clusterName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(writer, "CREATE TABLE orders (id serial PRIMARY KEY, note text); INSERT INTO orders (note) VALUES ('first')");
        }

        await using var reader = await fixture.ConnectAsync(readerName, port);
        await using var instance = await fixture.ConnectAsync(instanceName, port);
        var addresses = new[] { await fixture.ResolveAsync(clusterName), await fixture.ResolveAsync(readerName), await fixture.ResolveAsync(instanceName) };

        Assert.All(addresses, a => Assert.Equal(IPAddress.Parse(Dns.DnsZone.LoopbackAddressFor(cluster.ResourceId)), a.Addresses.Single()));
        Assert.Equal("first", await PostgresSandboxFixture.ScalarAsync(reader, "SELECT note FROM orders"));
        Assert.Equal(1L, await PostgresSandboxFixture.ScalarAsync(instance, "SELECT count(*) FROM orders"));
        Assert.Contains(fixture.DataPlane.Servers(), s => s.ClusterIdentifier == "pg-names" && s.State == "running" && s.Port == port);
    }

    [Fact]
    public async Task A_rename_moves_the_name_while_an_open_connection_keeps_writing_to_the_old_server()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-rename");
        var oldName = fixture.ClusterEndpoint("pg-rename");
        await using var open = await fixture.ConnectAsync(oldName, port);
        await PostgresSandboxFixture.ScalarAsync(open, "CREATE TABLE t (v int)");

        await fixture.Query.CallAsync("ModifyDBCluster", [new("DBClusterIdentifier", "pg-rename"), new("NewDBClusterIdentifier", "pg-rename-old"), new("ApplyImmediately", "true")]);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.DnsChange);
        await PostgresSandboxFixture.ScalarAsync(open, "INSERT INTO t VALUES (1)");
        var oldNameAfter = await fixture.ResolveAsync(oldName);
        await using var renamed = await fixture.ConnectAsync(fixture.ClusterEndpoint("pg-rename-old"), port);

        Assert.False(oldNameAfter.Exists);
        Assert.Equal(1L, await PostgresSandboxFixture.ScalarAsync(renamed, "SELECT count(*) FROM t"));
    }

    [Fact]
    public async Task A_reboot_closes_open_connections_and_the_server_takes_new_ones()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-reboot");
        var name = fixture.ClusterEndpoint("pg-reboot");
        await using var open = await fixture.ConnectAsync(name, port);
        Assert.Equal(1, await PostgresSandboxFixture.ScalarAsync(open, "SELECT 1"));

        await fixture.Query.CallAsync("RebootDBInstance", [new("DBInstanceIdentifier", "pg-reboot-1")]);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Reboot);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => PostgresSandboxFixture.ScalarAsync(open, "SELECT 1"));
        await using var reopened = await fixture.ConnectAsync(name, port);

        Assert.True(failure is NpgsqlException or InvalidOperationException, failure.ToString());
        Assert.Equal(1, await PostgresSandboxFixture.ScalarAsync(reopened, "SELECT 1"));
    }
}
