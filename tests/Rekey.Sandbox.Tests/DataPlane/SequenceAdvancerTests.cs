using Amazon;
using Amazon.Runtime;
using Npgsql;
using Rekey.Aws;
using Rekey.BlueGreen;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class SequenceAdvancerTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    private const string Secret = "arn:aws:secretsmanager:us-east-1:111111111111:secret:rekey-sequences-AbCdEf";

    [Fact]
    public async Task Sequences_advanced_through_the_Data_API_before_and_after_a_real_switchover_leave_no_insert_on_the_new_cluster_colliding()
    {
        var port = await fixture.EligibleForBlueGreenAsync("pg-seq");
        await fixture.Query.CallAsync("EnableHttpEndpoint", [new("ResourceArn", Arn("pg-seq"))]);
        var endpoint = fixture.ClusterEndpoint("pg-seq");
        await using (var blue = await fixture.ConnectAsync(endpoint, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'before green ' || n FROM generate_series(1, 5) n");
        }

        var deployment = await fixture.GreenReadyAsync("pg-seq");
        var greenArn = fixture.Read(rds => rds.ClusterByResourceId(rds.BlueGreenDeployments.Single(d => d.Identifier == deployment).TargetClusterResourceId)!.Arn);
        await using (var blue = await fixture.ConnectAsync(endpoint, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'after green ' || n FROM generate_series(1, 20) n");
        }

        using var data = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = fixture.Sandbox.BaseUrl.ToString(),
            Credentials = new BasicAWSCredentials("111111111111", "sandbox-secret"),
            MaxErrorRetry = 0,
        }).CreateRdsData(RegionEndpoint.USEast1);
        var sequences = new SequenceAdvancer(data, Secret);

        // Before: green's sequence (5, the copy's) set ahead of blue's (25) by a margin.
        var blueNow = await sequences.ReadAsync(Arn("pg-seq"), CancellationToken.None);
        var greenNow = await sequences.ReadAsync(greenArn, CancellationToken.None);
        Assert.Equal([new SequenceValue("public", "orders_id_seq", 25)], blueNow);
        Assert.Equal([new SequenceValue("public", "orders_id_seq", 5)], greenNow);
        var ahead = SequenceAdvancer.Ahead(blueNow, greenNow, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), floor: 100);
        Assert.Equal(125L, ahead.Single().LastValue);
        Assert.Equal(1L, await sequences.RaiseAsync(greenArn, ahead, CancellationToken.None));

        // Blue outruns the margin before the switchover: only the raise after it keeps the new cluster clear.
        await using (var blue = await fixture.ConnectAsync(endpoint, port))
        {
            await PostgresSandboxFixture.ScalarAsync(blue, "INSERT INTO orders (note) SELECT 'just before the switchover ' || n FROM generate_series(1, 200) n");
        }

        await fixture.Query.CallAsync("SwitchoverBlueGreenDeployment", [new("BlueGreenDeploymentIdentifier", deployment), new("SwitchoverTimeout", "300")]);
        Assert.Equal("SWITCHOVER_COMPLETED", await fixture.SwitchoverEndsAsync(deployment));
        var final = await sequences.ReadAsync(Arn("pg-seq-old1"), CancellationToken.None);
        Assert.Equal(225L, final.Single().LastValue);
        Assert.Equal(1L, await sequences.RaiseAsync(Arn("pg-seq"), final, CancellationToken.None));
        Assert.Equal(0L, await sequences.RaiseAsync(Arn("pg-seq"), [new SequenceValue("public", "orders_id_seq", 10)], CancellationToken.None));

        var failed = 0;
        await using var production = await fixture.ConnectAsync(endpoint, port);
        for (var i = 0; i < 50; i++)
        {
            try
            {
                await PostgresSandboxFixture.ScalarAsync(production, $"INSERT INTO orders (note) VALUES ('after the switchover {i}')");
            }
            catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                failed++;
            }
        }

        Assert.Equal(0, failed);
        Assert.Equal(275L, await PostgresSandboxFixture.ScalarAsync(production, "SELECT count(*) FROM orders"));
    }

    private static string Arn(string identifier) => $"arn:aws:rds:us-east-1:111111111111:cluster:{identifier}";
}
