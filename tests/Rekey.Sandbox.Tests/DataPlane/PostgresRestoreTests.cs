using System.Diagnostics;
using System.Globalization;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class PostgresRestoreTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    [Fact]
    public async Task A_point_in_time_restore_replays_the_archived_wal_into_a_new_server_up_to_the_requested_time_only()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-pitr");
        await using (var source = await fixture.ConnectAsync(fixture.ClusterEndpoint("pg-pitr"), port))
        {
            await PostgresSandboxFixture.ScalarAsync(source, "CREATE TABLE orders (id serial PRIMARY KEY, note text); INSERT INTO orders (note) VALUES ('before')");
            fixture.Advance(TimeSpan.FromMinutes(1));

            // The requested time comes from AWS's clock, as Rekey takes T1: the Date of a response.
            var restoreTime = await fixture.Query.ServerDateAsync();
            await PostgresSandboxFixture.ScalarAsync(source, "INSERT INTO orders (note) VALUES ('after')");
            fixture.Advance(fixture.Sandbox.Runtime.Durations.RestorableLag + TimeSpan.FromMinutes(1));
            await WaitUntilRestorableAsync("pg-pitr", restoreTime);

            var restorePort = PostgresSandboxFixture.FreePort();
            await fixture.Query.CallAsync(
                "RestoreDBClusterToPointInTime",
                [new("DBClusterIdentifier", "pg-pitr-copy"), new("SourceDBClusterIdentifier", "pg-pitr"), new("RestoreToTime", QueryXml.Timestamp(restoreTime)),
                    new("Port", restorePort.ToString(CultureInfo.InvariantCulture))]);
            fixture.Advance(fixture.Sandbox.Runtime.Durations.Restore);
            await fixture.WaitUntilAvailableAsync("pg-pitr-copy");
            await using var restored = await fixture.ConnectAsync(fixture.ClusterEndpoint("pg-pitr-copy"), restorePort);
            await using var sourceAgain = await fixture.ConnectAsync(fixture.ClusterEndpoint("pg-pitr"), port);

            Assert.Equal("before", await PostgresSandboxFixture.ScalarAsync(restored, "SELECT string_agg(note, ',' ORDER BY id) FROM orders"));
            Assert.Equal("before,after", await PostgresSandboxFixture.ScalarAsync(sourceAgain, "SELECT string_agg(note, ',' ORDER BY id) FROM orders"));
            Assert.False((bool)(await PostgresSandboxFixture.ScalarAsync(restored, "SELECT pg_is_in_recovery()"))!);
        }
    }

    [Fact]
    public async Task Latest_restorable_time_does_not_pass_what_the_wal_archive_holds()
    {
        var port = await fixture.AvailablePostgresClusterAsync("pg-archive");
        var server = (await fixture.DataPlane.ServerAsync(fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "pg-archive")!.ResourceId)))!;
        fixture.Advance(fixture.Sandbox.Runtime.Durations.RestorableLag + TimeSpan.FromMinutes(1));
        await WaitUntilRestorableAsync("pg-archive", await fixture.Query.ServerDateAsync() - fixture.Sandbox.Runtime.Durations.RestorableLag);

        var latest = fixture.Read(rds => rds.LatestRestorableTime(rds.FindCluster("111111111111", "us-east-1", "pg-archive")!))!.Value;
        var archivedThrough = fixture.DataPlane.Times.ToSandbox(server.ArchivedThrough!.Value);

        Assert.True(latest <= archivedThrough, $"LatestRestorableTime {latest:O} is after the archive's {archivedThrough:O}");
        Assert.True(port > 0);
    }

    private async Task WaitUntilRestorableAsync(string identifier, DateTimeOffset time)
    {
        // Bounded: the archive follows within a second or two of real time.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var latest = fixture.Read(rds => rds.LatestRestorableTime(rds.FindCluster("111111111111", "us-east-1", identifier)!));
            if (latest >= time)
            {
                return;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"LatestRestorableTime of {identifier} stayed at {latest:O}, before {time:O}. " + string.Join("; ", fixture.DataPlane.Servers().Select(s => $"{s.ClusterIdentifier} {s.State} {s.Error}")));
            await Task.Delay(50);
        }
    }
}
