using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.RDS;

public sealed class RdsParameterGroupTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    private Task<JsonNode> CreateClusterGroupAsync(string name, string family = "aurora-postgresql16") =>
        Cli.JsonAsync("rds", "create-db-cluster-parameter-group", "--db-cluster-parameter-group-name", name, "--db-parameter-group-family", family, "--description", "test");

    private Task<JsonNode> CreateInstanceGroupAsync(string name, string family = "aurora-postgresql16") =>
        Cli.JsonAsync("rds", "create-db-parameter-group", "--db-parameter-group-name", name, "--db-parameter-group-family", family, "--description", "test");

    private async Task<JsonNode> ClusterParameterAsync(string group, string name, params string[] extra) =>
        (await Cli.JsonAsync(["rds", "describe-db-cluster-parameters", "--db-cluster-parameter-group-name", group, "--filters", $"Name=parameter-name,Values={name}", .. extra]))["Parameters"]![0]!;

    private async Task AvailableAsync(string cluster, string group, params string[] instances)
    {
        await Cli.JsonAsync("rds", "create-db-cluster", "--db-cluster-identifier", cluster, "--engine", "aurora-mysql", "--master-username", "admin", "--master-user-password", "sandbox-password", "--db-cluster-parameter-group-name", group);
        fixture.Advance(TimeSpan.FromMinutes(5));
        foreach (var instance in instances)
        {
            await Cli.JsonAsync("rds", "create-db-instance", "--db-instance-identifier", instance, "--db-cluster-identifier", cluster, "--engine", "aurora-mysql", "--db-instance-class", "db.r6g.large");
            fixture.Advance(TimeSpan.FromSeconds(1));
        }

        fixture.Advance(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_created_cluster_parameter_group_is_described_with_its_family_and_arn_and_the_default_groups_exist()
    {
        var created = (await CreateClusterGroupAsync("Described-Group"))["DBClusterParameterGroup"]!;
        var described = (await Cli.JsonAsync("rds", "describe-db-cluster-parameter-groups", "--db-cluster-parameter-group-name", "described-group"))["DBClusterParameterGroups"]![0]!;
        var all = (await Cli.JsonAsync("rds", "describe-db-cluster-parameter-groups"))["DBClusterParameterGroups"]!.AsArray().Select(g => g!["DBClusterParameterGroupName"].Text()).ToList();

        Assert.Equal("described-group", created["DBClusterParameterGroupName"].Text());
        Assert.Equal("aurora-postgresql16", described["DBParameterGroupFamily"].Text());
        Assert.Equal("arn:aws:rds:us-east-1:111111111111:cluster-pg:described-group", described["DBClusterParameterGroupArn"].Text());
        Assert.Contains("default.aurora-postgresql16", all);
        Assert.Contains("default.aurora-mysql8.0", all);
        Assert.Equal("DBParameterGroupAlreadyExists", (await Cli.FailureAsync("rds", "create-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "described-group", "--db-parameter-group-family", "aurora-postgresql16", "--description", "again")).ErrorCode);
        Assert.Equal("InvalidParameterValue", (await Cli.FailureAsync("rds", "create-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "no-family", "--db-parameter-group-family", "postgres16", "--description", "x")).ErrorCode);
        Assert.Equal("DBParameterGroupNotFound", (await Cli.FailureAsync("rds", "describe-db-cluster-parameters", "--db-cluster-parameter-group-name", "missing-group")).ErrorCode);
    }

    [Fact]
    public async Task Default_binlog_format_is_off_static_and_a_user_value_shows_with_source_user()
    {
        await CreateClusterGroupAsync("binlog-group", "aurora-mysql8.0");
        var before = await ClusterParameterAsync("binlog-group", "binlog_format");

        Assert.Equal("OFF", before["ParameterValue"].Text());
        Assert.Equal("system", before["Source"].Text());
        Assert.Equal("static", before["ApplyType"].Text());
        Assert.True(before["IsModifiable"]!.GetValue<bool>());
        Assert.Contains("ROW", before["AllowedValues"].Text(), StringComparison.Ordinal);

        var immediate = await Cli.FailureAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "binlog-group", "--parameters", "ParameterName=binlog_format,ParameterValue=ROW,ApplyMethod=immediate");
        Assert.Equal("InvalidParameterCombination", immediate.ErrorCode);
        var invalid = await Cli.FailureAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "binlog-group", "--parameters", "ParameterName=binlog_format,ParameterValue=FAST,ApplyMethod=pending-reboot");
        Assert.Equal("InvalidParameterValue", invalid.ErrorCode);

        var modified = await Cli.JsonAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "binlog-group", "--parameters", "ParameterName=binlog_format,ParameterValue=ROW,ApplyMethod=pending-reboot", "ParameterName=event_scheduler,ParameterValue=ON,ApplyMethod=immediate");
        var user = (await Cli.JsonAsync("rds", "describe-db-cluster-parameters", "--db-cluster-parameter-group-name", "binlog-group", "--source", "user"))["Parameters"]!.AsArray();

        Assert.Equal("binlog-group", modified["DBClusterParameterGroupName"].Text());
        Assert.Equal(["binlog_format", "event_scheduler"], user.Select(p => p!["ParameterName"].Text()));
        Assert.Equal("ROW", user[0]!["ParameterValue"].Text());
        Assert.Equal("pending-reboot", user[0]!["ApplyMethod"].Text());
        Assert.Equal("user", user[0]!["Source"].Text());
        Assert.Equal("OFF", (await ClusterParameterAsync("default.aurora-mysql8.0", "binlog_format"))["ParameterValue"].Text());
    }

    [Fact]
    public async Task Logical_replication_of_aurora_postgresql_defaults_to_zero_and_reset_returns_it_to_the_default()
    {
        await CreateClusterGroupAsync("logical-group");
        var engineDefault = await ClusterParameterAsync("logical-group", "rds.logical_replication", "--source", "engine-default");
        await Cli.JsonAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "logical-group", "--parameters", "ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot");
        var set = await ClusterParameterAsync("logical-group", "rds.logical_replication");
        await Cli.JsonAsync("rds", "reset-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "logical-group", "--reset-all-parameters");
        var reset = await ClusterParameterAsync("logical-group", "rds.logical_replication");

        Assert.Equal("0", engineDefault["ParameterValue"].Text());
        Assert.Equal("static", engineDefault["ApplyType"].Text());
        Assert.Equal("1", set["ParameterValue"].Text());
        Assert.Equal("0", reset["ParameterValue"].Text());
        Assert.Equal("engine-default", reset["Source"].Text());
    }

    [Fact]
    public async Task A_modify_without_apply_method_or_with_one_bad_entry_changes_nothing_and_reset_takes_either_all_or_a_list()
    {
        await CreateClusterGroupAsync("strict-group", "aurora-mysql8.0");
        var noMethod = await Cli.FailureAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "strict-group", "--parameters", "ParameterName=event_scheduler,ParameterValue=ON");
        var oneBad = await Cli.FailureAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "strict-group", "--parameters", "ParameterName=event_scheduler,ParameterValue=ON,ApplyMethod=immediate", "ParameterName=aurora_enable_repl_bin_log_filtering,ParameterValue=0,ApplyMethod=pending-reboot");
        var untouched = (await Cli.JsonAsync("rds", "describe-db-cluster-parameters", "--db-cluster-parameter-group-name", "strict-group", "--source", "user"))["Parameters"]!.AsArray();

        Assert.Equal("InvalidParameterValue", noMethod.ErrorCode);
        Assert.Equal("InvalidParameterValue", oneBad.ErrorCode);
        Assert.Empty(untouched);

        await Cli.JsonAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "strict-group", "--parameters", "ParameterName=event_scheduler,ParameterValue=ON,ApplyMethod=immediate", "ParameterName=binlog_format,ParameterValue=MIXED,ApplyMethod=pending-reboot");
        var both = await Cli.FailureAsync("rds", "reset-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "strict-group", "--reset-all-parameters", "--parameters", "ParameterName=binlog_format,ApplyMethod=pending-reboot");
        await Cli.JsonAsync("rds", "reset-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "strict-group", "--parameters", "ParameterName=event_scheduler,ApplyMethod=immediate");
        var left = (await Cli.JsonAsync("rds", "describe-db-cluster-parameters", "--db-cluster-parameter-group-name", "strict-group", "--source", "user"))["Parameters"]!.AsArray();

        Assert.Equal("InvalidParameterCombination", both.ErrorCode);
        Assert.Equal("binlog_format", Assert.Single(left)!["ParameterName"].Text());
        Assert.Equal("OFF", (await ClusterParameterAsync("strict-group", "event_scheduler"))["ParameterValue"].Text());
    }

    [Fact]
    public async Task Default_groups_cannot_be_modified_or_deleted_and_a_copy_of_one_can()
    {
        Assert.Equal("InvalidParameterValue", (await Cli.FailureAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "default.aurora-mysql8.0", "--parameters", "ParameterName=binlog_format,ParameterValue=ROW,ApplyMethod=pending-reboot")).ErrorCode);
        Assert.Equal("InvalidDBParameterGroupState", (await Cli.FailureAsync("rds", "delete-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "default.aurora-mysql8.0")).ErrorCode);
        Assert.Equal("InvalidDBParameterGroupState", (await Cli.FailureAsync("rds", "delete-db-parameter-group", "--db-parameter-group-name", "default.aurora-mysql8.0")).ErrorCode);

        var copy = (await Cli.JsonAsync("rds", "copy-db-cluster-parameter-group", "--source-db-cluster-parameter-group-identifier", "default.aurora-mysql8.0", "--target-db-cluster-parameter-group-identifier", "copied-default", "--target-db-cluster-parameter-group-description", "copy"))["DBClusterParameterGroup"]!;
        await Cli.JsonAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "copied-default", "--parameters", "ParameterName=binlog_format,ParameterValue=ROW,ApplyMethod=pending-reboot");
        var second = (await Cli.JsonAsync("rds", "copy-db-cluster-parameter-group", "--source-db-cluster-parameter-group-identifier", copy["DBClusterParameterGroupArn"].Text(), "--target-db-cluster-parameter-group-identifier", "copied-twice", "--target-db-cluster-parameter-group-description", "copy of a copy"))["DBClusterParameterGroup"]!;

        Assert.Equal("aurora-mysql8.0", copy["DBParameterGroupFamily"].Text());
        Assert.Equal("copied-twice", second["DBClusterParameterGroupName"].Text());
        Assert.Equal("ROW", (await ClusterParameterAsync("copied-twice", "binlog_format"))["ParameterValue"].Text());
        await Cli.JsonAsync("rds", "delete-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "copied-twice");
        Assert.Equal("DBParameterGroupNotFound", (await Cli.FailureAsync("rds", "delete-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "copied-twice")).ErrorCode);
    }

    [Fact]
    public async Task Clusters_and_instances_naming_a_missing_group_or_one_of_another_family_are_refused()
    {
        await CreateClusterGroupAsync("postgres-only");
        await CreateInstanceGroupAsync("postgres-instance-only");

        var missing = await Cli.FailureAsync("rds", "create-db-cluster", "--db-cluster-identifier", "no-group", "--engine", "aurora-postgresql", "--master-username", "postgres", "--master-user-password", "sandbox-password", "--db-cluster-parameter-group-name", "never-created");
        var family = await Cli.FailureAsync("rds", "create-db-cluster", "--db-cluster-identifier", "wrong-family", "--engine", "aurora-mysql", "--master-username", "admin", "--master-user-password", "sandbox-password", "--db-cluster-parameter-group-name", "postgres-only");
        await Cli.CreateClusterAsync("group-checks", "--db-cluster-parameter-group-name", "postgres-only");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var instanceMissing = await Cli.FailureAsync("rds", "create-db-instance", "--db-instance-identifier", "group-checks-1", "--db-cluster-identifier", "group-checks", "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large", "--db-parameter-group-name", "never-created");
        var modifyMissing = await Cli.FailureAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "group-checks", "--db-cluster-parameter-group-name", "never-created", "--apply-immediately");
        var instance = (await Cli.CreateInstanceAsync("group-checks", "group-checks-2", "--db-parameter-group-name", "postgres-instance-only"))["DBInstance"]!;

        Assert.Equal("DBClusterParameterGroupNotFound", missing.ErrorCode);
        Assert.Equal("InvalidParameterCombination", family.ErrorCode);
        Assert.Equal("DBParameterGroupNotFound", instanceMissing.ErrorCode);
        Assert.Equal("DBClusterParameterGroupNotFound", modifyMissing.ErrorCode);
        Assert.Equal("postgres-instance-only", instance["DBParameterGroups"]![0]!["DBParameterGroupName"].Text());
        Assert.Equal("InvalidDBParameterGroupState", (await Cli.FailureAsync("rds", "delete-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "postgres-only")).ErrorCode);
        Assert.Equal("InvalidDBParameterGroupState", (await Cli.FailureAsync("rds", "delete-db-parameter-group", "--db-parameter-group-name", "postgres-instance-only")).ErrorCode);
    }

    [Fact]
    public async Task A_static_change_leaves_the_members_pending_reboot_until_each_is_rebooted()
    {
        await CreateClusterGroupAsync("reboot-group", "aurora-mysql8.0");
        await AvailableAsync("reboot-cluster", "reboot-group", "reboot-cluster-1", "reboot-cluster-2");
        var before = await Cli.DescribeClusterAsync("reboot-cluster");

        await Cli.JsonAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "reboot-group", "--parameters", "ParameterName=binlog_format,ParameterValue=ROW,ApplyMethod=pending-reboot");
        var pending = await Cli.DescribeClusterAsync("reboot-cluster");
        await Cli.JsonAsync("rds", "reboot-db-instance", "--db-instance-identifier", "reboot-cluster-1");
        var rebooting = await Cli.DescribeClusterAsync("reboot-cluster");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var rebooted = await Cli.DescribeClusterAsync("reboot-cluster");

        static string StatusOf(JsonNode cluster, string member) =>
            cluster["DBClusterMembers"]!.AsArray().Single(m => m!["DBInstanceIdentifier"].Text() == member)!["DBClusterParameterGroupStatus"].Text();

        Assert.Equal("in-sync", StatusOf(before, "reboot-cluster-1"));
        Assert.Equal("pending-reboot", StatusOf(pending, "reboot-cluster-1"));
        Assert.Equal("pending-reboot", StatusOf(pending, "reboot-cluster-2"));
        Assert.Equal("pending-reboot", StatusOf(rebooting, "reboot-cluster-1"));
        Assert.Equal("in-sync", StatusOf(rebooted, "reboot-cluster-1"));
        Assert.Equal("pending-reboot", StatusOf(rebooted, "reboot-cluster-2"));
    }

    [Fact]
    public async Task A_cluster_moved_to_another_group_and_an_instance_given_another_db_parameter_group_wait_for_a_reboot()
    {
        await CreateClusterGroupAsync("moved-to", "aurora-mysql8.0");
        await CreateInstanceGroupAsync("instance-moved-to", "aurora-mysql8.0");
        await AvailableAsync("moving-cluster", "default.aurora-mysql8.0", "moving-cluster-1");

        var modified = (await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "moving-cluster", "--db-cluster-parameter-group-name", "moved-to", "--apply-immediately"))["DBCluster"]!;
        var instance = (await Cli.JsonAsync("rds", "modify-db-instance", "--db-instance-identifier", "moving-cluster-1", "--db-parameter-group-name", "instance-moved-to", "--apply-immediately"))["DBInstance"]!;
        await Cli.JsonAsync("rds", "reboot-db-instance", "--db-instance-identifier", "moving-cluster-1");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var rebooted = await Cli.DescribeInstanceAsync("moving-cluster-1");

        Assert.Equal("moved-to", modified["DBClusterParameterGroup"].Text());
        Assert.Equal("pending-reboot", modified["DBClusterMembers"]![0]!["DBClusterParameterGroupStatus"].Text());
        Assert.Equal("instance-moved-to", instance["DBParameterGroups"]![0]!["DBParameterGroupName"].Text());
        Assert.Equal("pending-reboot", instance["DBParameterGroups"]![0]!["ParameterApplyStatus"].Text());
        Assert.Equal("in-sync", rebooted["DBParameterGroups"]![0]!["ParameterApplyStatus"].Text());
    }

    [Fact]
    public async Task Instance_parameters_have_their_own_catalogue_and_a_new_instance_defaults_to_the_default_db_parameter_group()
    {
        await CreateInstanceGroupAsync("instance-params");
        await Cli.JsonAsync("rds", "modify-db-parameter-group", "--db-parameter-group-name", "instance-params", "--parameters", "ParameterName=work_mem,ParameterValue=65536,ApplyMethod=immediate");
        var user = (await Cli.JsonAsync("rds", "describe-db-parameters", "--db-parameter-group-name", "instance-params", "--source", "user"))["Parameters"]!.AsArray();
        var unknown = await Cli.FailureAsync("rds", "modify-db-parameter-group", "--db-parameter-group-name", "instance-params", "--parameters", "ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot");
        await Cli.CreateClusterAsync("default-instance-group");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var instance = (await Cli.CreateInstanceAsync("default-instance-group", "default-instance-group-1"))["DBInstance"]!;

        Assert.Equal("65536", Assert.Single(user)!["ParameterValue"].Text());
        Assert.Equal("InvalidParameterValue", unknown.ErrorCode);
        Assert.Equal("default.aurora-postgresql16", instance["DBParameterGroups"]![0]!["DBParameterGroupName"].Text());
    }
}

public sealed class RdsParameterGroupStateTests : IDisposable
{
    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"rekey-sandbox-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_stateFile);

    [Fact]
    public async Task A_sandbox_restarted_on_the_same_state_file_keeps_parameter_groups_their_values_and_pending_reboots()
    {
        var options = SandboxOptions.ForTests(clockSpeed: 1) with { StateFile = _stateFile };
        await using (var first = await SandboxServer.StartAsync(options))
        {
            var cli = new AwsCli(first.BaseUrl);
            await cli.JsonAsync("rds", "create-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "durable-pg", "--db-parameter-group-family", "aurora-postgresql16", "--description", "kept");
            await cli.CreateClusterAsync("durable-params", "--db-cluster-parameter-group-name", "durable-pg");
            first.Clock.Advance(TimeSpan.FromMinutes(5));
            await cli.CreateInstanceAsync("durable-params", "durable-params-1");
            first.Clock.Advance(TimeSpan.FromMinutes(10));
            await cli.JsonAsync("rds", "modify-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "durable-pg", "--parameters", "ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot");
        }

        await using var second = await SandboxServer.StartAsync(options);
        var again = new AwsCli(second.BaseUrl);
        var user = (await again.JsonAsync("rds", "describe-db-cluster-parameters", "--db-cluster-parameter-group-name", "durable-pg", "--source", "user"))["Parameters"]!.AsArray();
        var cluster = await again.DescribeClusterAsync("durable-params");

        Assert.Equal("rds.logical_replication", Assert.Single(user)!["ParameterName"].Text());
        Assert.Equal("durable-pg", cluster["DBClusterParameterGroup"].Text());
        Assert.Equal("pending-reboot", cluster["DBClusterMembers"]![0]!["DBClusterParameterGroupStatus"].Text());
    }
}
