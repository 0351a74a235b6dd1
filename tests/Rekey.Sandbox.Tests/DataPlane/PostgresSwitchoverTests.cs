using System.Globalization;
using Npgsql;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresSwitchoverTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task A_real_engine_switchover_carries_every_committed_row_closes_blues_connections_leaves_old_blue_read_only_and_not_the_sequences()
    {
        var port = await fixture.EligibleForBlueGreenAsync("pg-sw");
        var blueName = fixture.ClusterEndpoint("pg-sw");
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'before green ' || n FROM generate_series(1, 5) n");
        }

        var deployment = await fixture.GreenReadyAsync("pg-sw");

        // Committed on blue through a connection the application keeps open across the switchover.
        await using var held = await fixture.ConnectAsync(blueName, port);
        await PostgresSandboxFixture.ScalarAsync(held, "INSERT INTO orders (note) SELECT 'just before the switchover ' || n FROM generate_series(1, 5) n");

        await fixture.Query.CallAsync("SwitchoverBlueGreenDeployment", [new("BlueGreenDeploymentIdentifier", deployment), new("SwitchoverTimeout", "300")]);
        fixture.Advance(BlueGreenTimings.Guardrails + TimeSpan.FromSeconds(1));
        Assert.Equal(BlueGreenStatus.SwitchoverInProgress, fixture.DeploymentStatus(deployment));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.ConnectAsync(blueName, port));
        Assert.Contains("pg_hba.conf rejects connection", refused.InnerException?.Message, StringComparison.Ordinal);

        Assert.Equal(BlueGreenStatus.SwitchoverCompleted, await fixture.SwitchoverEndsAsync(deployment));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => PostgresSandboxFixture.ScalarAsync(held, "SELECT 1"));

        // The name now answers with green's server, which holds every row blue committed.
        await using var green = await fixture.ConnectAsync(blueName, port);
        Assert.Equal(10L, await PostgresSandboxFixture.ScalarAsync(green, "SELECT count(*) FROM orders"));

        // The old blue takes connections but no writes.
        await using (var oldBlue = await fixture.ConnectAsync(fixture.ClusterEndpoint("pg-sw-old1"), port))
        {
            var write = await Assert.ThrowsAsync<PostgresException>(() => PostgresSandboxFixture.ScalarAsync(oldBlue, "INSERT INTO orders (note) VALUES ('after the switchover on old blue')"));
            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, write.SqlState);
        }

        // Green's sequence stayed where green's copy left it (5): the first insert takes an id blue already used.
        var collision = await Assert.ThrowsAsync<PostgresException>(() => PostgresSandboxFixture.ScalarAsync(green, "INSERT INTO orders (note) VALUES ('first insert after the switchover')"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, collision.SqlState);
    }

    [Fact]
    public async Task A_real_engine_switchover_whose_green_cannot_catch_up_fails_at_its_timeout_and_leaves_blue_writable()
    {
        // Green stops applying, so blue's last writes never reach it.
        var (deployment, blueName, port, green, _) = await fixture.GreenStoppedApplyingAsync("pg-sw-stuck");

        await fixture.Query.CallAsync("SwitchoverBlueGreenDeployment", [new("BlueGreenDeploymentIdentifier", deployment), new("SwitchoverTimeout", "30")]);
        Assert.Equal(BlueGreenStatus.SwitchoverFailed, await fixture.SwitchoverEndsAsync(deployment));
        Assert.Contains("switchover timeout of 30 seconds", fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == deployment).StatusDetails), StringComparison.Ordinal);

        // Rolled back: the name still answers with blue, which takes writes again.
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO events (payload) VALUES ('after the rollback')");
            Assert.Equal(101L, await PostgresSandboxFixture.ScalarAsync(blue, "SELECT count(*) FROM events"));
        }

        Assert.Equal(0L, Convert.ToInt64(await green.ScalarAsync("SELECT count(*) FROM events", "app"), CultureInfo.InvariantCulture));
    }
}
