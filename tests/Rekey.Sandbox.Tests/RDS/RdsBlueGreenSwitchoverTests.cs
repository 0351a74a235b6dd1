using Rekey.Sandbox.Core;
using Rekey.Sandbox.Dns;
using Rekey.Sandbox.RDS;
using static Rekey.Sandbox.Tests.BlueGreenTestData;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>Replication to green, the switchover (guardrails, outage, renames, DNS, timeout rollback) and what the simulated application sees, through the AWS CLI.</summary>
public sealed class RdsBlueGreenSwitchoverTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>, IDisposable
{
    private AwsCli Cli => fixture.Cli;

    public void Dispose() => fixture.Sandbox.Faults.Clear();

    private DbCluster Cluster(string identifier) => fixture.Read(rds => rds.FindCluster(Account, Region, identifier)!);

    private string[] Switchover(string id, params string[] extra) => ["rds", "switchover-blue-green-deployment", "--blue-green-deployment-identifier", id, .. extra];

    /// <summary>Writes once per sandbox second, reconnecting to the cluster endpoint whenever the connection drops.</summary>
    private sealed class Writer(SandboxFixture fixture, string cluster)
    {
        private AppConnection? _connection;
        private int _next;

        public List<AppWrite> Acknowledged { get; } = [];

        public void Run(int seconds)
        {
            for (var s = 0; s < seconds; s++)
            {
                if (_connection is null)
                {
                    try
                    {
                        _connection = fixture.Applications.Open(Endpoint(cluster));
                    }
                    catch (DatabaseConnectionException)
                    {
                        // Refused during the switchover: try again next second.
                    }
                }

                if (_connection is not null)
                {
                    var write = fixture.Applications.Write(_connection.Id, $"order-{_next++}", "paid");
                    if (write.Acknowledged)
                    {
                        Acknowledged.Add(write);
                    }
                    else
                    {
                        fixture.Applications.Close(_connection.Id);
                        _connection = null;
                    }
                }

                fixture.Advance(TimeSpan.FromSeconds(1));
            }
        }
    }

    [Fact]
    public async Task Green_lags_blue_by_more_the_faster_blue_is_written_and_refuses_writes_until_switchover()
    {
        var deployment = await fixture.AvailableDeploymentAsync("lagging", await fixture.EligibleClusterAsync("bg-lagging"));
        var green = ClusterName(deployment["Target"].Text());
        var blue = fixture.Applications.Open(Endpoint("bg-lagging"));

        var idleLag = fixture.Read(rds => rds.ReplicaLag(rds.FindCluster(Account, Region, "bg-lagging")!, rds.Now));
        for (var n = 0; n < 600; n++)
        {
            fixture.Applications.Write(blue.Id, $"burst-{n}", "x");
        }

        var busyLag = fixture.Read(rds => rds.ReplicaLag(rds.FindCluster(Account, Region, "bg-lagging")!, rds.Now));
        var onGreenAtOnce = Cluster(green).Writes.Count;
        fixture.Advance(busyLag + TimeSpan.FromSeconds(1));
        _ = await Cli.DescribeClusterAsync(green);
        var onGreenLater = Cluster(green).Writes.Select(w => w.Key).ToList();
        var greenWrite = fixture.Applications.Write(fixture.Applications.Open(Endpoint(green)).Id, "on-green", "x");

        Assert.Equal(BlueGreenTimings.BaseLag, idleLag);
        Assert.Equal(BlueGreenTimings.BaseLag + (BlueGreenTimings.LagPerWritePerSecond * 10), busyLag);
        Assert.Equal(0, onGreenAtOnce);
        Assert.Equal(600, onGreenLater.Count);
        Assert.False(greenWrite.Acknowledged);
        Assert.Contains("read-only", greenWrite.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aurora-mysql", "AuroraBinlogReplicaLag", 6.0)]
    [InlineData("aurora-postgresql", "OldestReplicationSlotLag", 600 * 1024.0)]
    public async Task CloudWatch_reports_the_replication_lag_AWS_reports_for_the_engine(string engine, string metric, double expected)
    {
        var cluster = "bg-metric-" + engine[7..];
        var deployment = await fixture.AvailableDeploymentAsync("metric-" + engine[7..], await fixture.EligibleClusterAsync(cluster, engine: engine));
        // The writes land 2 s before a minute's end: the next minute that is at least 3 s away, so the jump is never backwards.
        var minute = DateTimeOffset.FromUnixTimeSeconds(((fixture.Sandbox.Clock.Now.AddSeconds(3).ToUnixTimeSeconds() / 60) + 1) * 60);
        fixture.Advance(minute - fixture.Sandbox.Clock.Now - TimeSpan.FromSeconds(2));
        var connection = fixture.Applications.Open(Endpoint(cluster));
        for (var n = 0; n < 600; n++)
        {
            fixture.Applications.Write(connection.Id, $"row-{n}", "x");
        }

        fixture.Advance(TimeSpan.FromSeconds(5));
        var (dimension, value) = metric == "AuroraBinlogReplicaLag" ? ("DBClusterIdentifier", ClusterName(deployment["Target"].Text())) : ("DBInstanceIdentifier", cluster + "-1");
        var queries = $"[{{\"Id\":\"lag\",\"MetricStat\":{{\"Metric\":{{\"Namespace\":\"AWS/RDS\",\"MetricName\":\"{metric}\",\"Dimensions\":[{{\"Name\":\"{dimension}\",\"Value\":\"{value}\"}}]}},\"Period\":60,\"Stat\":\"Maximum\"}}}}]";
        var result = await Cli.JsonAsync(
            "cloudwatch", "get-metric-data", "--metric-data-queries", queries,
            "--start-time", minute.AddMinutes(-5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--end-time", minute.AddMinutes(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var values = result["MetricDataResults"]![0]!["Values"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();

        Assert.Equal(expected, values.Max());
    }

    [Fact]
    public async Task A_switchover_renames_green_to_blues_names_with_a_short_outage_and_every_acknowledged_write_on_the_new_blue()
    {
        var key = fixture.CreateCustomerKey(Account, Region);
        var source = await fixture.EligibleClusterAsync("bg-switch", instances: 2);
        var created = await fixture.Query.CallAsync(
            "CreateBlueGreenDeployment",
            [
                new("BlueGreenDeploymentName", "switch"), new("Source", source),
                new("TargetResourceConfigurations.TargetResourceConfiguration.1.SourceArn", source),
                new("TargetResourceConfigurations.TargetResourceConfiguration.1.TargetKmsKeyId", key.Arn),
            ]);
        var id = created.Descendants().First(e => e.Name.LocalName == "BlueGreenDeploymentIdentifier").Value;
        var greenResourceId = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == id).TargetClusterResourceId);
        var blueResourceId = Cluster("bg-switch").ResourceId;
        var writer = new Writer(fixture, "bg-switch");
        writer.Run((int)fixture.Provisioning(2).TotalSeconds);

        var started = (await Cli.JsonAsync(Switchover(id, "--switchover-timeout", "120")))["BlueGreenDeployment"]!;
        var startedAt = fixture.Sandbox.Clock.Now;
        writer.Run(90);
        var done = await Cli.DescribeDeploymentAsync(id);
        var production = await Cli.DescribeClusterAsync("bg-switch");
        var oldBlue = await Cli.DescribeClusterAsync("bg-switch-old1");
        var oldInstance = await Cli.DescribeInstanceAsync("bg-switch-1-old1");
        var newInstance = await Cli.DescribeInstanceAsync("bg-switch-1");
        var dns = await fixture.ResolveAsync(Endpoint("bg-switch"));
        var events = await Cli.EventMessagesAsync("blue-green-deployment", id);
        var completedAt = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == id).SwitchoverCompletedAt!.Value);
        var newBlueSequences = Cluster("bg-switch").Writes.Select(w => w.Sequence).ToHashSet();
        var oldBlueWrites = Cluster("bg-switch-old1").Writes;
        var gaps = writer.Acknowledged.Zip(writer.Acknowledged.Skip(1), (a, b) => b.Time - a.Time).ToList();

        Assert.Equal("SWITCHOVER_IN_PROGRESS", started["Status"].Text());
        Assert.All(started["SwitchoverDetails"]!.AsArray(), d => Assert.Equal("SWITCHOVER_IN_PROGRESS", d!["Status"].Text()));
        Assert.Equal("SWITCHOVER_COMPLETED", done["Status"].Text());
        Assert.All(done["SwitchoverDetails"]!.AsArray(), d => Assert.Equal("SWITCHOVER_COMPLETED", d!["Status"].Text()));
        Assert.Equal(Arn("bg-switch-old1"), done["Source"].Text());
        Assert.Equal(Arn("bg-switch"), done["Target"].Text());
        Assert.Equal(greenResourceId, production["DbClusterResourceId"].Text());
        Assert.Equal(key.Arn, production["KmsKeyId"].Text());
        Assert.Equal(blueResourceId, oldBlue["DbClusterResourceId"].Text());
        Assert.Equal("available", oldInstance["DBInstanceStatus"].Text());
        Assert.Equal(blueResourceId, fixture.Read(rds => rds.FindInstance(Account, Region, "bg-switch-1-old1")!.ClusterResourceId));
        Assert.Equal(greenResourceId, fixture.Read(rds => rds.FindInstance(Account, Region, "bg-switch-1")!.ClusterResourceId));
        Assert.Equal("available", newInstance["DBInstanceStatus"].Text());
        Assert.Equal(DnsZone.LoopbackAddressFor(greenResourceId), Assert.Single(dns.Addresses).ToString());
        Assert.Contains("Switchover started on blue/green deployment.", events);
        Assert.Contains("Switchover completed on blue/green deployment.", events);
        Assert.True(completedAt - startedAt < TimeSpan.FromSeconds(60), $"the switchover took {completedAt - startedAt}");
        Assert.True(gaps.Max() < TimeSpan.FromSeconds(60), $"writes stopped for {gaps.Max()}");
        Assert.True(gaps.Max() > TimeSpan.FromSeconds(5), "writes were never refused during the switchover");
        Assert.All(writer.Acknowledged, w => Assert.Contains(w.Sequence!.Value, newBlueSequences));
        Assert.All(writer.Acknowledged.Where(w => w.Time >= completedAt), w => Assert.Equal(greenResourceId, w.ClusterResourceId));
        Assert.All(oldBlueWrites, w => Assert.True(w.Time < completedAt));
        Assert.Contains(writer.Acknowledged, w => w.Time >= completedAt);
    }

    [Fact]
    public async Task The_old_blue_refuses_writes_after_switchover_until_its_writer_reboots()
    {
        var deployment = await fixture.AvailableDeploymentAsync("old-blue", await fixture.EligibleClusterAsync("bg-old-blue"));
        await Cli.JsonAsync(Switchover(deployment["BlueGreenDeploymentIdentifier"].Text()));
        fixture.Advance(TimeSpan.FromMinutes(1));

        var beforeReboot = fixture.Applications.Write(fixture.Applications.Open(RdsState.InstanceEndpointName(Account, Region, "bg-old-blue-1-old1")).Id, "late", "x");
        await Cli.JsonAsync("rds", "reboot-db-instance", "--db-instance-identifier", "bg-old-blue-1-old1");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Reboot);
        var afterReboot = fixture.Applications.Write(fixture.Applications.Open(RdsState.InstanceEndpointName(Account, Region, "bg-old-blue-1-old1")).Id, "later", "x");

        Assert.False(beforeReboot.Acknowledged);
        Assert.Contains("read-only", beforeReboot.Error, StringComparison.Ordinal);
        Assert.True(afterReboot.Acknowledged);
    }

    [Fact]
    public async Task A_switchover_that_cannot_finish_within_its_timeout_is_rolled_back_and_blue_stays_writable()
    {
        var deployment = await fixture.AvailableDeploymentAsync("timeout", await fixture.EligibleClusterAsync("bg-timeout"));
        var id = deployment["BlueGreenDeploymentIdentifier"].Text();
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "SwitchoverBlueGreenDeployment" });
        var writer = new Writer(fixture, "bg-timeout");

        await Cli.JsonAsync(Switchover(id, "--switchover-timeout", "30"));
        writer.Run(25);
        var during = await Cli.DescribeDeploymentAsync(id);
        writer.Run(34);
        var after = await Cli.DescribeDeploymentAsync(id);
        var blue = await Cli.DescribeClusterAsync("bg-timeout");
        var events = await Cli.EventMessagesAsync("blue-green-deployment", id);

        Assert.Equal("SWITCHOVER_IN_PROGRESS", during["Status"].Text());
        Assert.Equal("SWITCHOVER_FAILED", after["Status"].Text());
        Assert.Contains("rolled back", after["StatusDetails"].Text(), StringComparison.Ordinal);
        Assert.All(after["SwitchoverDetails"]!.AsArray(), d => Assert.Equal("SWITCHOVER_FAILED", d!["Status"].Text()));
        Assert.Equal(Cluster("bg-timeout").ResourceId, blue["DbClusterResourceId"].Text());
        Assert.Contains("Switchover canceled on blue/green deployment.", events);
        Assert.Contains(writer.Acknowledged, w => w.Time > fixture.Sandbox.Clock.Now - TimeSpan.FromSeconds(20) && w.ClusterIdentifier == "bg-timeout");
        Assert.DoesNotContain(writer.Acknowledged, w => w.Time > fixture.Sandbox.Clock.Now - TimeSpan.FromSeconds(50) && w.Time < fixture.Sandbox.Clock.Now - TimeSpan.FromSeconds(35));
    }

    [Fact]
    public async Task A_switchover_whose_replication_needs_longer_than_the_timeout_is_rolled_back()
    {
        var deployment = await fixture.AvailableDeploymentAsync("slow-catch-up", await fixture.EligibleClusterAsync("bg-slow-catch-up"));
        var connection = fixture.Applications.Open(Endpoint("bg-slow-catch-up"));
        for (var n = 0; n < 720; n++)
        {
            fixture.Applications.Write(connection.Id, $"row-{n}", "x");
        }

        // 12 writes a second: 7 s of lag, guardrails 5 s and renames 20 s do not fit in 30 s.
        await Cli.JsonAsync(Switchover(deployment["BlueGreenDeploymentIdentifier"].Text(), "--switchover-timeout", "30"));
        fixture.Advance(TimeSpan.FromSeconds(31));
        var after = await Cli.DescribeDeploymentAsync(deployment["BlueGreenDeploymentIdentifier"].Text());

        Assert.Equal("SWITCHOVER_FAILED", after["Status"].Text());
        Assert.Equal(Arn("bg-slow-catch-up"), after["Source"].Text());
    }

    public static TheoryData<string, string, string> Guardrails => new()
    {
        { "lag", "aurora-postgresql", "replica lag" },
        { "write", "aurora-postgresql", "long-running write transactions" },
        { "ddl", "aurora-mysql", "DDL statements" },
    };

    [Theory]
    [MemberData(nameof(Guardrails))]
    public async Task Switchover_guardrails_cancel_it_before_any_outage_and_say_why(string guardrail, string engine, string reason)
    {
        var cluster = $"bg-guard-{guardrail}";
        var deployment = await fixture.AvailableDeploymentAsync("guard-" + guardrail, await fixture.EligibleClusterAsync(cluster, engine: engine));
        var id = deployment["BlueGreenDeploymentIdentifier"].Text();
        var connection = fixture.Applications.Open(Endpoint(cluster));
        switch (guardrail)
        {
            case "lag":
                for (var n = 0; n < 3000; n++)
                {
                    fixture.Applications.Write(connection.Id, $"row-{n}", "x");
                }

                break;
            case "write":
                fixture.Applications.Run(connection.Id, RunningStatement.Write, "UPDATE orders SET status = 'archived'", TimeSpan.FromMinutes(10));
                break;
            default:
                fixture.Applications.Run(connection.Id, RunningStatement.Ddl, "ALTER TABLE orders ADD COLUMN note TEXT", TimeSpan.FromMinutes(10));
                break;
        }

        await Cli.JsonAsync(Switchover(id));
        fixture.Advance(BlueGreenTimings.Guardrails);
        var after = await Cli.DescribeDeploymentAsync(id);
        var write = fixture.Applications.Write(connection.Id, "still-blue", "x");
        var events = await Cli.EventMessagesAsync("blue-green-deployment", id);

        Assert.Equal("SWITCHOVER_FAILED", after["Status"].Text());
        Assert.Contains(reason, after["StatusDetails"].Text(), StringComparison.Ordinal);
        Assert.All(after["SwitchoverDetails"]!.AsArray(), d => Assert.Equal("AVAILABLE", d!["Status"].Text()));
        Assert.True(write.Acknowledged, write.Error);
        Assert.Contains(events, m => m.Contains("was canceled due to", StringComparison.Ordinal) && m.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DDL_on_an_Aurora_PostgreSQL_blue_breaks_replication_and_the_deployment_must_be_recreated()
    {
        var deployment = await fixture.AvailableDeploymentAsync("pg-ddl", await fixture.EligibleClusterAsync("bg-pg-ddl"));
        var id = deployment["BlueGreenDeploymentIdentifier"].Text();
        var connection = fixture.Applications.Open(Endpoint("bg-pg-ddl"));

        fixture.Applications.Run(connection.Id, RunningStatement.Ddl, "ALTER TABLE orders ADD COLUMN note TEXT", TimeSpan.FromSeconds(1));
        var after = await Cli.DescribeDeploymentAsync(id);
        var refused = await Cli.FailureAsync(Switchover(id));

        Assert.Equal("INVALID_CONFIGURATION", after["Status"].Text());
        Assert.Contains("DDL", after["StatusDetails"].Text(), StringComparison.Ordinal);
        Assert.Equal("InvalidBlueGreenDeploymentStateFault", refused.ErrorCode);
    }

    [Fact]
    public async Task A_switchover_is_refused_while_provisioning_for_an_unknown_deployment_and_with_a_timeout_out_of_range()
    {
        var created = await Cli.CreateDeploymentAsync("refused-switch", await fixture.EligibleClusterAsync("bg-refused-switch"));
        var id = created["BlueGreenDeploymentIdentifier"].Text();

        var provisioning = await Cli.FailureAsync(Switchover(id));
        var unknown = await Cli.FailureAsync(Switchover("bgd-0000000000000000"));
        var tooLong = await Cli.FailureAsync(Switchover(id, "--switchover-timeout", "3601"));

        Assert.Equal("InvalidBlueGreenDeploymentStateFault", provisioning.ErrorCode);
        Assert.Equal("BlueGreenDeploymentNotFoundFault", unknown.ErrorCode);
        Assert.Equal("InvalidParameterValue", tooLong.ErrorCode);
    }

    [Fact]
    public async Task After_switchover_DeleteTarget_is_refused_and_deleting_the_deployment_keeps_both_clusters()
    {
        var deployment = await fixture.AvailableDeploymentAsync("after-switch", await fixture.EligibleClusterAsync("bg-after-switch"));
        var id = deployment["BlueGreenDeploymentIdentifier"].Text();
        await Cli.JsonAsync(Switchover(id));
        var whileSwitching = await Cli.FailureAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", id);
        fixture.Advance(TimeSpan.FromMinutes(1));

        var withTarget = await Cli.FailureAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", id, "--delete-target");
        var deleting = (await Cli.JsonAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", id))["BlueGreenDeployment"]!;
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete);
        var gone = await Cli.FailureAsync("rds", "describe-blue-green-deployments", "--blue-green-deployment-identifier", id);
        var production = await Cli.DescribeClusterAsync("bg-after-switch");
        var oldBlue = await Cli.DescribeClusterAsync("bg-after-switch-old1");

        Assert.Equal("InvalidBlueGreenDeploymentStateFault", whileSwitching.ErrorCode);
        Assert.Equal("InvalidBlueGreenDeploymentStateFault", withTarget.ErrorCode);
        Assert.Equal("DELETING", deleting["Status"].Text());
        Assert.Equal("BlueGreenDeploymentNotFoundFault", gone.ErrorCode);
        Assert.Equal("available", production["Status"].Text());
        Assert.Equal("available", oldBlue["Status"].Text());
    }
}
