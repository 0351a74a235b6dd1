namespace Rekey.Sandbox.Tests.RDS;

/// <summary>A sandbox whose clock starts an hour before Aurora began to encrypt new clusters with an AWS owned key (2026-02-18).</summary>
public sealed class BeforeAwsOwnedDefaultFixture : SandboxFixture
{
    public static readonly DateTimeOffset Start = new(2026, 2, 17, 23, 0, 0, TimeSpan.Zero);

    protected override SandboxOptions Options => SandboxOptions.ForTests(clockSpeed: 1) with { ClockStart = Start };
}

/// <summary>
/// The default of a cluster created without a key changes on 2026-02-18. In a class of its own, so its sandbox is still
/// before that day whatever order the tests run in (the others move their clock on by a day).
/// </summary>
public sealed class StorageEncryptionDefaultTests(BeforeAwsOwnedDefaultFixture fixture) : IClassFixture<BeforeAwsOwnedDefaultFixture>
{
    private AwsCli Cli => fixture.Cli;

    [Fact]
    public async Task A_cluster_created_without_a_key_is_unencrypted_before_2026_02_18_and_sse_rds_with_no_KmsKeyId_from_that_day()
    {
        var before = (await Cli.CreateClusterAsync("made-before"))["DBCluster"]!;
        fixture.Advance(TimeSpan.FromHours(1));
        var after = (await Cli.CreateClusterAsync("made-after"))["DBCluster"]!;
        var explicitlyPlain = (await Cli.CreateClusterAsync("made-plain", "--no-storage-encrypted"))["DBCluster"]!;
        var explicitlyEncrypted = (await Cli.CreateClusterAsync("made-encrypted", "--storage-encrypted"))["DBCluster"]!;
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        await Cli.CreateInstanceAsync("made-after", "made-after-1");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.InstanceCreate);
        var described = await Cli.DescribeClusterAsync("made-after");
        var instance = await Cli.DescribeInstanceAsync("made-after-1");
        var managedKey = (await Cli.JsonAsync("kms", "describe-key", "--key-id", "alias/aws/rds"))["KeyMetadata"]!["Arn"].Text();

        Assert.False(before["StorageEncrypted"]!.GetValue<bool>());
        Assert.Equal("none", before["StorageEncryptionType"].Text());
        Assert.True(after["StorageEncrypted"]!.GetValue<bool>());
        Assert.Equal("sse-rds", after["StorageEncryptionType"].Text());
        Assert.Null(after["KmsKeyId"]);
        Assert.Equal("sse-rds", described["StorageEncryptionType"].Text());
        Assert.Null(described["KmsKeyId"]);
        Assert.Equal("sse-rds", instance["StorageEncryptionType"].Text());
        Assert.Null(instance["KmsKeyId"]);
        Assert.Equal("none", explicitlyPlain["StorageEncryptionType"].Text());
        Assert.False(explicitlyPlain["StorageEncrypted"]!.GetValue<bool>());

        // "If the StorageEncrypted parameter is enabled ... Amazon RDS uses your default KMS key" (botocore's CreateDBCluster).
        Assert.Equal("sse-kms", explicitlyEncrypted["StorageEncryptionType"].Text());
        Assert.Equal(managedKey, explicitlyEncrypted["KmsKeyId"].Text());
    }
}

/// <summary>
/// StorageEncryptionType as botocore's RDS model defines it (none | sse-rds | sse-kms), read through the AWS CLI:
/// a restore or a green onto a customer managed key becomes sse-kms; without one it keeps the source's type.
/// </summary>
public sealed class StorageEncryptionTypeTests(BeforeAwsOwnedDefaultFixture fixture) : IClassFixture<BeforeAwsOwnedDefaultFixture>
{
    private AwsCli Cli => fixture.Cli;

    [Fact]
    public async Task A_point_in_time_restore_of_an_sse_rds_cluster_with_a_customer_key_is_sse_kms_and_without_one_stays_sse_rds()
    {
        fixture.Advance(TimeSpan.FromDays(1));
        await Cli.CreateClusterAsync("owned-source");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate + TimeSpan.FromMinutes(10));
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/owned-target");

        var onKey = (await Cli.JsonAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "owned-on-key", "--source-db-cluster-identifier", "owned-source",
            "--use-latest-restorable-time", "--kms-key-id", "alias/owned-target"))["DBCluster"]!;
        var sameKey = (await Cli.JsonAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "owned-again", "--source-db-cluster-identifier", "owned-source",
            "--use-latest-restorable-time"))["DBCluster"]!;
        var snapshot = (await Cli.JsonAsync(
            "rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "owned-source", "--db-cluster-snapshot-identifier", "owned-snapshot"))["DBClusterSnapshot"]!;

        Assert.Equal("sse-kms", onKey["StorageEncryptionType"].Text());
        Assert.Equal(key.Arn, onKey["KmsKeyId"].Text());
        Assert.Equal("sse-rds", sameKey["StorageEncryptionType"].Text());
        Assert.Null(sameKey["KmsKeyId"]);
        Assert.Equal("sse-rds", snapshot["StorageEncryptionType"].Text());
        Assert.True(snapshot["StorageEncrypted"]!.GetValue<bool>());
        Assert.Null(snapshot["KmsKeyId"]);
    }

    [Fact]
    public async Task A_point_in_time_restore_of_an_unencrypted_cluster_with_a_key_is_still_rejected_and_a_green_with_a_target_key_is_sse_kms()
    {
        fixture.Advance(TimeSpan.FromDays(1));
        await fixture.EligibleClusterAsync("plain-blue", 1, "aurora-postgresql", ("StorageEncrypted", "false"));
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/plain-green");

        var restore = await Cli.FailureAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "plain-restored", "--source-db-cluster-identifier", "plain-blue",
            "--use-latest-restorable-time", "--kms-key-id", "alias/plain-green");
        var response = await fixture.Query.CallAsync(
            "CreateBlueGreenDeployment",
            [
                new("BlueGreenDeploymentName", "plain-to-key"), new("Source", BlueGreenTestData.Arn("plain-blue")),
                new("TargetResourceConfigurations.TargetResourceConfiguration.1.SourceArn", BlueGreenTestData.Arn("plain-blue")),
                new("TargetResourceConfigurations.TargetResourceConfiguration.1.TargetKmsKeyId", "alias/plain-green"),
            ]);
        var target = response.Descendants().First(e => e.Name.LocalName == "Target").Value;
        var green = await Cli.DescribeClusterAsync(target.Split(':')[^1]);
        var blue = await Cli.DescribeClusterAsync("plain-blue");

        Assert.Equal("InvalidParameterCombination", restore.ErrorCode);
        Assert.Equal("none", blue["StorageEncryptionType"].Text());
        Assert.Equal("sse-kms", green["StorageEncryptionType"].Text());
        Assert.Equal(key.Arn, green["KmsKeyId"].Text());
    }

    [Fact]
    public async Task A_green_of_an_sse_rds_blue_without_a_target_key_stays_on_the_AWS_owned_key()
    {
        fixture.Advance(TimeSpan.FromDays(1));
        await fixture.EligibleClusterAsync("owned-blue");

        var created = await Cli.CreateDeploymentAsync("owned-same", BlueGreenTestData.Arn("owned-blue"));
        var green = await Cli.DescribeClusterAsync(created["Target"].Text().Split(':')[^1]);

        Assert.Equal("sse-rds", green["StorageEncryptionType"].Text());
        Assert.True(green["StorageEncrypted"]!.GetValue<bool>());
        Assert.Null(green["KmsKeyId"]);
    }

    [Fact]
    public async Task A_snapshot_on_an_AWS_owned_key_or_on_aws_rds_cannot_be_shared_and_one_on_a_customer_key_can()
    {
        fixture.Advance(TimeSpan.FromDays(1));
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/share-ok");
        await Cli.CreateClusterAsync("share-owned");
        await Cli.CreateClusterAsync("share-managed", "--storage-encrypted");
        await Cli.CreateClusterAsync("share-cmk", "--storage-encrypted", "--kms-key-id", "alias/share-ok");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        foreach (var cluster in new[] { "share-owned", "share-managed", "share-cmk" })
        {
            await Cli.JsonAsync("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", cluster, "--db-cluster-snapshot-identifier", cluster + "-snap");
        }

        fixture.Advance(TimeSpan.FromMinutes(5));

        var owned = await Cli.FailureAsync(
            "rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", "share-owned-snap", "--attribute-name", "restore", "--values-to-add", "222222222222");
        var managed = await Cli.FailureAsync(
            "rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", "share-managed-snap", "--attribute-name", "restore", "--values-to-add", "222222222222");
        var shared = await Cli.JsonAsync(
            "rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", "share-cmk-snap", "--attribute-name", "restore", "--values-to-add", "222222222222");

        Assert.Equal("InvalidParameterValue", owned.ErrorCode);
        Assert.Contains("AWS owned key", owned.Stderr, StringComparison.Ordinal);
        Assert.Equal("InvalidParameterValue", managed.ErrorCode);
        Assert.Contains("aws/rds", managed.Stderr, StringComparison.Ordinal);
        var attribute = shared["DBClusterSnapshotAttributesResult"]!["DBClusterSnapshotAttributes"]![0]!;
        Assert.Equal("restore", attribute["AttributeName"].Text());
        Assert.Equal(["222222222222"], attribute["AttributeValues"]!.AsArray().Select(v => v.Text()));
        Assert.Equal(key.Arn, (await Cli.JsonAsync("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier", "share-cmk-snap"))["DBClusterSnapshots"]![0]!["KmsKeyId"].Text());

        // The refusals change nothing.
        Assert.Equal(
            [("share-cmk-snap", 1), ("share-managed-snap", 0), ("share-owned-snap", 0)],
            fixture.Read(rds => rds.Snapshots.Where(s => s.Identifier.StartsWith("share-", StringComparison.Ordinal)).Select(s => (s.Identifier, s.RestoreAccounts.Count)).OrderBy(s => s.Identifier, StringComparer.Ordinal).ToList()));
    }
}
