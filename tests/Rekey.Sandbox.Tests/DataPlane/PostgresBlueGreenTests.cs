using System.Diagnostics;
using Npgsql;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresBlueGreenTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task A_real_engine_green_follows_blues_rows_by_logical_replication_but_not_its_sequences_so_an_insert_on_green_collides()
    {
        await fixture.Query.CallAsync(
            "CreateDBClusterParameterGroup",
            [new("DBClusterParameterGroupName", "pg-bg-params"), new("DBParameterGroupFamily", "aurora-postgresql16"), new("Description", "blue/green")]);
        await fixture.Query.CallAsync(
            "ModifyDBClusterParameterGroup",
            [
                new("DBClusterParameterGroupName", "pg-bg-params"), new("Parameters.Parameter.1.ParameterName", "rds.logical_replication"),
                new("Parameters.Parameter.1.ParameterValue", "1"), new("Parameters.Parameter.1.ApplyMethod", "pending-reboot"),
            ]);
        var port = await fixture.AvailablePostgresClusterAsync("pg-bg", ("DBClusterParameterGroupName", "pg-bg-params"));
        var blueName = fixture.ClusterEndpoint("pg-bg");
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'before green ' || n FROM generate_series(1, 5) n");
        }

        await fixture.Query.CallAsync("CreateBlueGreenDeployment", [new("BlueGreenDeploymentName", "pg-bg"), new("Source", BlueGreenTestData.Arn("pg-bg"))]);
        fixture.Advance(fixture.Provisioning(1));
        var greenId = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.SourceClusterResourceId == rds.FindCluster("111111111111", "us-east-1", "pg-bg")!.ResourceId).TargetClusterResourceId);
        using var ready = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var green = await fixture.DataPlane.ServerAsync(greenId!, ready.Token);
        Assert.NotNull(green);

        // Rows written on blue after green was built reach green through the subscription.
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'after green ' || n FROM generate_series(1, 5) n");
        }

        var deadline = Stopwatch.StartNew();
        while (Convert.ToInt64(await green.ScalarAsync("SELECT count(*) FROM orders", "app"), System.Globalization.CultureInfo.InvariantCulture) < 10)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "green did not receive blue's rows within a minute");
            await Task.Delay(50);
        }

        // The sequence did not follow: green's is where the copy left it (5), blue's ids reached 10.
        Assert.Equal(5L, await green.ScalarAsync("SELECT last_value FROM orders_id_seq", "app"));
        var collision = await Assert.ThrowsAsync<PostgresException>(() => green.ExecuteAsync("INSERT INTO orders (note) VALUES ('first insert on green')", "app"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, collision.SqlState);
    }
}
