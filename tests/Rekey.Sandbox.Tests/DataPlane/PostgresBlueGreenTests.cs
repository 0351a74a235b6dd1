using System.Diagnostics;
using Npgsql;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresBlueGreenTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task A_real_engine_green_follows_blues_rows_by_logical_replication_but_not_its_sequences_so_an_insert_on_green_collides()
    {
        var port = await fixture.EligibleForBlueGreenAsync("pg-bg");
        var blueName = fixture.ClusterEndpoint("pg-bg");
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'before green ' || n FROM generate_series(1, 5) n");
        }

        await fixture.Query.CallAsync("CreateBlueGreenDeployment", [new("BlueGreenDeploymentName", "pg-bg"), new("Source", BlueGreenTestData.Arn("pg-bg"))]);
        fixture.Advance(fixture.Provisioning(1));
        var greenId = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.SourceClusterResourceId == rds.FindCluster("111111111111", "us-east-1", "pg-bg")!.ResourceId).TargetClusterResourceId);

        // Green shows available only once its copy of blue is made (read in this order: a server never goes back to provisioning).
        var greenStatus = fixture.Read(rds => rds.ClusterByResourceId(greenId)!.Status);
        var greenServer = fixture.DataPlane.Servers().Single(v => v.ClusterResourceId == greenId).State;
        Assert.True(greenStatus != "available" || greenServer == "running", $"green is {greenStatus} while its server is {greenServer}");
        await fixture.WaitUntilAvailableAsync(fixture.Read(rds => rds.ClusterByResourceId(greenId)!.Identifier));
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

    [Fact]
    public async Task OldestReplicationSlotLag_of_a_real_engine_blue_is_its_real_slot_lag_growing_while_green_does_not_confirm_and_falling_when_it_catches_up()
    {
        var port = await fixture.EligibleForBlueGreenAsync("pg-lag");
        var blueName = fixture.ClusterEndpoint("pg-lag");
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL)");
        }

        await fixture.Query.CallAsync("CreateBlueGreenDeployment", [new("BlueGreenDeploymentName", "pg-lag"), new("Source", BlueGreenTestData.Arn("pg-lag"))]);
        fixture.Advance(fixture.Provisioning(1));
        var blueId = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "pg-lag")!.ResourceId);
        var greenId = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.SourceClusterResourceId == blueId).TargetClusterResourceId);
        using var ready = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var green = (await fixture.DataPlane.ServerAsync(greenId!, ready.Token))!;
        var subscription = (string)(await green.ScalarAsync("SELECT subname FROM pg_subscription", "app"))!;

        // Green stops applying: about 1 MB written on blue stays unconfirmed in the slot.
        await green.ExecuteAsync($"ALTER SUBSCRIPTION {subscription} DISABLE", "app");
        await using (var blue = await fixture.ConnectAsync(blueName, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO events (payload) SELECT repeat('x', 1000) FROM generate_series(1, 1000)");
        }

        await UntilAsync(() => fixture.DataPlane.SlotLag(blueId) is { Count: > 0 } s && s[^1].Bytes >= 1_000_000, "the slot lag did not reach 1 MB");
        var now = fixture.Sandbox.Clock.Now;
        var queries = "[{\"Id\":\"lag\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/RDS\",\"MetricName\":\"OldestReplicationSlotLag\",\"Dimensions\":[{\"Name\":\"DBInstanceIdentifier\",\"Value\":\"pg-lag-1\"}]},\"Period\":60,\"Stat\":\"Maximum\"}}]";
        var result = await fixture.Cli.JsonAsync(
            "cloudwatch", "get-metric-data", "--metric-data-queries", queries,
            "--start-time", now.AddMinutes(-5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--end-time", now.AddMinutes(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var values = result["MetricDataResults"]![0]!["Values"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.True(values.Count > 0 && values.Max() >= 1_000_000, $"OldestReplicationSlotLag: [{string.Join(", ", values)}]");

        // Green applies again and confirms: the lag falls below the backlog.
        await green.ExecuteAsync($"ALTER SUBSCRIPTION {subscription} ENABLE", "app");
        await UntilAsync(() => fixture.DataPlane.SlotLag(blueId)[^1].Bytes < 100_000, "the slot lag did not fall after green caught up");
        Assert.Equal(1000L, await green.ScalarAsync("SELECT count(*) FROM events", "app"));
    }

    /// <summary>Polls (real time: the servers run outside the sandbox clock) until <paramref name="condition"/> holds, for at most a minute.</summary>
    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), failure);
            await Task.Delay(50);
        }
    }
}
