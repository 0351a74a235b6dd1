using System.Text.RegularExpressions;

namespace Rekey.Sandbox.Tests.RDS;

public sealed class RdsInstanceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    private async Task AvailableClusterAsync(string identifier, params string[] instances)
    {
        await fixture.Query.CreateClusterAsync(identifier);
        fixture.Advance(TimeSpan.FromMinutes(5));
        foreach (var instance in instances)
        {
            await fixture.Query.CreateInstanceAsync(identifier, instance);
            fixture.Advance(TimeSpan.FromSeconds(1));
        }

        fixture.Advance(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task The_first_instance_to_become_available_is_the_writer_and_instance_endpoints_carry_the_account_hash()
    {
        await AvailableClusterAsync("writer-first", "writer-first-a", "writer-first-b");

        var cluster = await Cli.DescribeClusterAsync("writer-first");
        var instance = await Cli.DescribeInstanceAsync("writer-first-a");
        var hash = cluster["Endpoint"].Text().Split('.')[1]["cluster-".Length..];

        var members = cluster["DBClusterMembers"]!.AsArray();
        Assert.True(members.Single(m => m!["DBInstanceIdentifier"].Text() == "writer-first-a")!["IsClusterWriter"]!.GetValue<bool>());
        Assert.False(members.Single(m => m!["DBInstanceIdentifier"].Text() == "writer-first-b")!["IsClusterWriter"]!.GetValue<bool>());
        Assert.Equal("available", instance["DBInstanceStatus"].Text());
        Assert.Equal($"writer-first-a.{hash}.us-east-1.rds.amazonaws.com", instance["Endpoint"]!["Address"].Text());
        Assert.Equal("writer-first", instance["DBClusterIdentifier"].Text());
        Assert.Matches(new Regex("^db-[A-Z0-9]{26}$"), instance["DbiResourceId"].Text());
    }

    [Fact]
    public async Task A_new_instance_is_creating_for_the_instance_create_duration()
    {
        await AvailableClusterAsync("slow-create");
        var created = (await Cli.CreateInstanceAsync("slow-create", "slow-create-1", "--promotion-tier", "0", "--monitoring-interval", "60", "--monitoring-role-arn", "arn:aws:iam::111111111111:role/rds-monitoring", "--database-insights-mode", "advanced"))["DBInstance"]!;
        fixture.Advance(TimeSpan.FromMinutes(9));
        var before = await Cli.DescribeInstanceAsync("slow-create-1");
        fixture.Advance(TimeSpan.FromMinutes(1));
        var after = await Cli.DescribeInstanceAsync("slow-create-1");

        Assert.Equal("creating", created["DBInstanceStatus"].Text());
        Assert.Equal("creating", before["DBInstanceStatus"].Text());
        Assert.Equal("available", after["DBInstanceStatus"].Text());
        Assert.Equal(0, after["PromotionTier"]!.GetValue<int>());
        Assert.Equal(60, after["MonitoringInterval"]!.GetValue<int>());
        Assert.Equal("advanced", after["DatabaseInsightsMode"].Text());
    }

    [Fact]
    public async Task Instances_are_refused_while_the_cluster_is_creating_or_when_the_engine_differs_or_the_identifier_is_taken()
    {
        await fixture.Query.CreateClusterAsync("not-ready");
        var creating = await Cli.FailureAsync("rds", "create-db-instance", "--db-instance-identifier", "not-ready-1", "--db-cluster-identifier", "not-ready", "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var engine = await Cli.FailureAsync("rds", "create-db-instance", "--db-instance-identifier", "not-ready-1", "--db-cluster-identifier", "not-ready", "--engine", "aurora-mysql", "--db-instance-class", "db.r6g.large");
        await Cli.CreateInstanceAsync("not-ready", "not-ready-1");
        var duplicate = await Cli.FailureAsync("rds", "create-db-instance", "--db-instance-identifier", "not-ready-1", "--db-cluster-identifier", "not-ready", "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large");
        var missing = await Cli.FailureAsync("rds", "describe-db-instances", "--db-instance-identifier", "no-such-instance");

        Assert.Equal("InvalidDBClusterStateFault", creating.ErrorCode);
        Assert.Equal("InvalidParameterCombination", engine.ErrorCode);
        Assert.Equal("DBInstanceAlreadyExists", duplicate.ErrorCode);
        Assert.Equal("DBInstanceNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task Renaming_an_instance_reboots_it_and_moves_its_endpoint_after_the_DNS_delay()
    {
        await AvailableClusterAsync("inst-rename", "inst-rename-a");
        var oldName = (await Cli.DescribeInstanceAsync("inst-rename-a"))["Endpoint"]!["Address"].Text();
        var connection = fixture.Applications.Open(oldName);

        var renamed = (await Cli.JsonAsync("rds", "modify-db-instance", "--db-instance-identifier", "inst-rename-a", "--new-db-instance-identifier", "inst-rename-b", "--apply-immediately"))["DBInstance"]!;
        var write = fixture.Applications.Write(connection.Id, "k", "v");
        var oldBeforeDns = await fixture.ResolveAsync(oldName);
        fixture.Advance(TimeSpan.FromMinutes(1));
        var oldAfterDns = await fixture.ResolveAsync(oldName);
        var newAfterDns = await fixture.ResolveAsync(oldName.Replace("inst-rename-a", "inst-rename-b", StringComparison.Ordinal));
        var after = await Cli.DescribeInstanceAsync("inst-rename-b");

        Assert.Equal("renaming", renamed["DBInstanceStatus"].Text());
        Assert.False(write.Acknowledged);
        Assert.True(oldBeforeDns.Exists);
        Assert.False(oldAfterDns.Exists);
        Assert.True(newAfterDns.Exists);
        Assert.Equal("available", after["DBInstanceStatus"].Text());
    }

    [Fact]
    public async Task RebootDBInstance_closes_open_connections_and_returns_to_available()
    {
        await AvailableClusterAsync("reboot", "reboot-1");
        var endpoint = (await Cli.DescribeClusterAsync("reboot"))["Endpoint"].Text();
        var connection = fixture.Applications.Open(endpoint);
        var beforeReboot = fixture.Applications.Write(connection.Id, "k1", "v1");

        var rebooting = (await Cli.JsonAsync("rds", "reboot-db-instance", "--db-instance-identifier", "reboot-1"))["DBInstance"]!;
        var afterReboot = fixture.Applications.Write(connection.Id, "k2", "v2");
        fixture.Advance(TimeSpan.FromMinutes(1));
        var reconnected = fixture.Applications.Write(fixture.Applications.Open(endpoint).Id, "k3", "v3");

        Assert.True(beforeReboot.Acknowledged);
        Assert.Equal("rebooting", rebooting["DBInstanceStatus"].Text());
        Assert.False(afterReboot.Acknowledged);
        Assert.True(reconnected.Acknowledged);
        Assert.Equal(["k1", "k3"], fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "reboot")!.Writes.Select(w => w.Key).ToList()));
    }

    [Fact]
    public async Task FailoverDBCluster_makes_the_target_the_writer()
    {
        await AvailableClusterAsync("failover", "failover-a", "failover-b");

        var failing = (await Cli.JsonAsync("rds", "failover-db-cluster", "--db-cluster-identifier", "failover", "--target-db-instance-identifier", "failover-b"))["DBCluster"]!;
        fixture.Advance(TimeSpan.FromMinutes(1));
        var cluster = await Cli.DescribeClusterAsync("failover");

        Assert.Equal("failing-over", failing["Status"].Text());
        Assert.Equal("available", cluster["Status"].Text());
        Assert.True(cluster["DBClusterMembers"]!.AsArray().Single(m => m!["DBInstanceIdentifier"].Text() == "failover-b")!["IsClusterWriter"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Deleting_the_writer_promotes_the_remaining_instance()
    {
        await AvailableClusterAsync("writer-leaves", "writer-leaves-a", "writer-leaves-b");

        await Cli.JsonAsync("rds", "delete-db-instance", "--db-instance-identifier", "writer-leaves-a");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var members = (await Cli.DescribeClusterAsync("writer-leaves"))["DBClusterMembers"]!.AsArray();

        var member = Assert.Single(members);
        Assert.Equal("writer-leaves-b", member!["DBInstanceIdentifier"].Text());
        Assert.True(member["IsClusterWriter"]!.GetValue<bool>());
    }
}
