using System.Globalization;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Tests.RDS;

public sealed class RestoreTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    private static string Iso(DateTimeOffset time) => QueryXml.Timestamp(time);

    [Fact]
    public async Task A_restore_to_a_time_with_a_customer_key_holds_exactly_the_source_writes_up_to_that_time_and_no_instances()
    {
        await fixture.AvailableClusterAsync("pitr-source", encrypted: true);
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/pitr-cmk");
        var endpoint = (await Cli.DescribeClusterAsync("pitr-source"))["Endpoint"].Text();
        var connection = fixture.Applications.Open(endpoint);
        fixture.Applications.Write(connection.Id, "before-1", "a");
        fixture.Advance(TimeSpan.FromMinutes(1));
        fixture.Applications.Write(connection.Id, "before-2", "b");
        var restoreTime = fixture.Sandbox.Clock.Now;
        fixture.Advance(TimeSpan.FromSeconds(1));
        fixture.Applications.Write(connection.Id, "after", "c");
        fixture.Advance(TimeSpan.FromMinutes(6));

        var restoring = (await Cli.JsonAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "pitr-target", "--source-db-cluster-identifier", "pitr-source",
            "--restore-to-time", Iso(restoreTime), "--kms-key-id", "alias/pitr-cmk"))["DBCluster"]!;
        fixture.Advance(TimeSpan.FromMinutes(19));
        var stillRestoring = await Cli.DescribeClusterAsync("pitr-target");
        fixture.Advance(TimeSpan.FromMinutes(1));
        var restored = await Cli.DescribeClusterAsync("pitr-target");

        Assert.Equal("creating", restoring["Status"].Text());
        Assert.Equal("creating", stillRestoring["Status"].Text());
        Assert.Equal("available", restored["Status"].Text());
        Assert.Equal(key.Arn, restored["KmsKeyId"].Text());
        Assert.True(restored["StorageEncrypted"]!.GetValue<bool>());
        Assert.Empty(restored["DBClusterMembers"]!.AsArray());
        Assert.Equal(["before-1", "before-2"], fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "pitr-target")!.Writes.Select(w => w.Key).ToList()));
        Assert.Equal(["before-1", "before-2", "after"], fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "pitr-source")!.Writes.Select(w => w.Key).ToList()));
    }

    [Fact]
    public async Task The_restored_cluster_has_only_what_the_request_carried_and_defaults_otherwise()
    {
        await Cli.JsonAsync("rds", "create-db-cluster-parameter-group", "--db-cluster-parameter-group-name", "custom-params", "--db-parameter-group-family", "aurora-postgresql16", "--description", "custom");
        await fixture.AvailableClusterAsync(
            "carry-source",
            encrypted: true,
            extra: [("DeletionProtection", "true"), ("BackupRetentionPeriod", "7"), ("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0123456789abcdef0"),
                ("DBClusterParameterGroupName", "custom-params"), ("EnableIAMDatabaseAuthentication", "true"), ("Tags.Tag.1.Key", "team"), ("Tags.Tag.1.Value", "payments")]);
        await Cli.JsonAsync("rds", "add-role-to-db-cluster", "--db-cluster-identifier", "carry-source", "--role-arn", "arn:aws:iam::111111111111:role/s3-import", "--feature-name", "s3Import");
        var source = await Cli.DescribeClusterAsync("carry-source");

        var restored = (await Cli.JsonAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "carry-target", "--source-db-cluster-identifier", "carry-source",
            "--use-latest-restorable-time", "--port", "6432", "--tags", "Key=rekey:role,Value=target"))["DBCluster"]!;

        Assert.Equal(source["KmsKeyId"].Text(), restored["KmsKeyId"].Text());
        Assert.False(restored["DeletionProtection"]!.GetValue<bool>());
        Assert.Equal(1, restored["BackupRetentionPeriod"]!.GetValue<int>());
        Assert.Equal("default.aurora-postgresql16", restored["DBClusterParameterGroup"].Text());
        Assert.NotEqual("sg-0123456789abcdef0", restored["VpcSecurityGroups"]![0]!["VpcSecurityGroupId"].Text());
        Assert.False(restored["IAMDatabaseAuthenticationEnabled"]!.GetValue<bool>());
        Assert.Empty(restored["AssociatedRoles"]!.AsArray());
        Assert.Equal(6432, restored["Port"]!.GetValue<int>());
        Assert.Equal([("rekey:role", "target")], restored["TagList"]!.AsArray().Select(t => (t!["Key"].Text(), t["Value"].Text())));
        Assert.Equal(source["MasterUsername"].Text(), restored["MasterUsername"].Text());
    }

    [Fact]
    public async Task RestoreToTime_after_LatestRestorableTime_is_InvalidRestoreFault()
    {
        await fixture.AvailableClusterAsync("window-source");
        var latest = DateTimeOffset.Parse((await Cli.DescribeClusterAsync("window-source"))["LatestRestorableTime"].Text(), CultureInfo.InvariantCulture);

        var failure = await Cli.FailureAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "window-target", "--source-db-cluster-identifier", "window-source",
            "--restore-to-time", Iso(latest.AddMinutes(2)));

        Assert.True(fixture.Sandbox.Clock.Now - latest >= TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(5));
        Assert.Equal("InvalidRestoreFault", failure.ErrorCode);
    }

    [Fact]
    public async Task RestoreToTime_with_UseLatestRestorableTime_copy_on_write_with_a_time_and_neither_are_InvalidParameterCombination()
    {
        await fixture.AvailableClusterAsync("combo-source");
        var time = Iso(fixture.Sandbox.Clock.Now.AddMinutes(-10));
        string[] restore = ["rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "combo-target", "--source-db-cluster-identifier", "combo-source"];

        var both = await Cli.FailureAsync([.. restore, "--restore-to-time", time, "--use-latest-restorable-time"]);
        var copyOnWriteAtTime = await Cli.FailureAsync([.. restore, "--restore-to-time", time, "--restore-type", "copy-on-write"]);
        var neither = await Cli.FailureAsync(restore);
        var copyOnWriteLatest = (await Cli.JsonAsync([.. restore, "--use-latest-restorable-time", "--restore-type", "copy-on-write"]))["DBCluster"]!;

        Assert.Equal("InvalidParameterCombination", both.ErrorCode);
        Assert.Equal("InvalidParameterCombination", copyOnWriteAtTime.ErrorCode);
        Assert.Equal("InvalidParameterCombination", neither.ErrorCode);
        Assert.Equal("combo-target", copyOnWriteLatest["DBClusterIdentifier"].Text());
    }

    [Fact]
    public async Task The_source_must_exist_and_be_available_and_the_target_identifier_free()
    {
        await fixture.AvailableClusterAsync("state-source");
        await fixture.Query.CreateClusterAsync("state-taken");
        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "state-source", "--new-db-cluster-identifier", "state-source-old", "--apply-immediately");

        var renaming = await Cli.FailureAsync("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "state-target", "--source-db-cluster-identifier", "state-source-old", "--use-latest-restorable-time");
        fixture.Advance(TimeSpan.FromMinutes(1));
        var missing = await Cli.FailureAsync("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "state-target", "--source-db-cluster-identifier", "state-source", "--use-latest-restorable-time");
        var taken = await Cli.FailureAsync("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "state-taken", "--source-db-cluster-identifier", "state-source-old", "--use-latest-restorable-time");

        Assert.Equal("InvalidDBClusterStateFault", renaming.ErrorCode);
        Assert.Equal("DBClusterNotFoundFault", missing.ErrorCode);
        Assert.Equal("DBClusterAlreadyExistsFault", taken.ErrorCode);
    }

    [Fact]
    public async Task The_source_may_be_named_by_resource_id_but_not_by_both_identifier_and_resource_id()
    {
        await fixture.AvailableClusterAsync("by-resource-id");
        var resourceId = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "by-resource-id")!.ResourceId);
        string[] restore = ["rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "by-resource-id-copy", "--use-latest-restorable-time"];

        var both = await Cli.FailureAsync([.. restore, "--source-db-cluster-identifier", "by-resource-id", "--source-db-cluster-resource-id", resourceId]);
        var restored = (await Cli.JsonAsync([.. restore, "--source-db-cluster-resource-id", resourceId]))["DBCluster"]!;

        Assert.Equal("InvalidParameterCombination", both.ErrorCode);
        Assert.Equal("by-resource-id-copy", restored["DBClusterIdentifier"].Text());
        Assert.Equal(resourceId, fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "by-resource-id-copy")!.RestoredFromResourceId));
    }

    [Theory]
    [InlineData("--enable-performance-insights")]
    [InlineData("--monitoring-interval=60")]
    public async Task Performance_Insights_and_Enhanced_Monitoring_are_refused_on_an_Aurora_restore(string option)
    {
        var source = "monitoring-" + option.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await fixture.AvailableClusterAsync(source);

        var failure = await Cli.FailureAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", source + "-copy", "--source-db-cluster-identifier", source,
            "--use-latest-restorable-time", option, "--monitoring-role-arn", "arn:aws:iam::111111111111:role/rds-monitoring");

        Assert.Equal("InvalidParameterCombination", failure.ErrorCode);
    }

    [Fact]
    public async Task An_unencrypted_source_restored_with_a_key_is_rejected()
    {
        await fixture.AvailableClusterAsync("plain-source");
        fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/plain-cmk");

        var failure = await Cli.FailureAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "plain-target", "--source-db-cluster-identifier", "plain-source",
            "--use-latest-restorable-time", "--kms-key-id", "alias/plain-cmk");

        Assert.Equal("InvalidParameterCombination", failure.ErrorCode);
    }

    [Theory]
    [InlineData("Disabled")]
    [InlineData("PendingDeletion")]
    public async Task A_key_that_is_not_enabled_fails_the_restore_with_KMSKeyNotAccessibleFault(string keyState)
    {
        var source = "state-" + keyState.ToLowerInvariant();
        await fixture.AvailableClusterAsync(source, encrypted: true);
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1", null);
        fixture.SetKeyState(key, keyState);

        var failure = await Cli.FailureAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", source + "-target", "--source-db-cluster-identifier", source,
            "--use-latest-restorable-time", "--kms-key-id", key.KeyId);

        Assert.Equal("KMSKeyNotAccessibleFault", failure.ErrorCode);
        Assert.Null(fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", source + "-target")));
    }

    [Fact]
    public async Task A_key_of_another_region_or_another_account_is_not_accessible()
    {
        await fixture.AvailableClusterAsync("foreign-key-source", encrypted: true);
        var otherRegion = fixture.CreateCustomerKey("111111111111", "eu-west-1", null);
        var otherAccount = fixture.CreateCustomerKey("222222222222", "us-east-1", null);
        string[] restore = ["rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "foreign-key-target", "--source-db-cluster-identifier", "foreign-key-source", "--use-latest-restorable-time"];

        var region = await Cli.FailureAsync([.. restore, "--kms-key-id", otherRegion.Arn]);
        var account = await Cli.FailureAsync([.. restore, "--kms-key-id", otherAccount.Arn]);

        Assert.Equal("KMSKeyNotAccessibleFault", region.ErrorCode);
        Assert.Equal("KMSKeyNotAccessibleFault", account.ErrorCode);
    }
}
