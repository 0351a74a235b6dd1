using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>A sandbox whose clock is after 2026-02-18, so a cluster created without a key is on an AWS owned key.</summary>
public sealed class SnapshotCopyFixture : SandboxFixture
{
    protected override SandboxOptions Options => SandboxOptions.ForTests(clockSpeed: 1) with { ClockStart = new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero) };
}

/// <summary>
/// CopyDBClusterSnapshot through the AWS CLI as botocore's RDS model documents it: within the account KmsKeyId
/// re-encrypts; an unencrypted source takes no key; another account copies only what is shared with it, naming a key of
/// its own and able to use the source's; aws/rds and AWS owned snapshots cannot be shared, so never leave the account.
/// </summary>
public sealed class RdsSnapshotCopyTests(SnapshotCopyFixture fixture) : IClassFixture<SnapshotCopyFixture>
{
    private const string Owner = "111111111111";
    private const string Other = "222222222222";

    private AwsCli Cli => fixture.Cli;

    private AwsCli OtherCli => fixture.Cli.As(Other);

    /// <summary>A cluster and a manual snapshot of it, both available; returns the snapshot's ARN.</summary>
    private async Task<string> SnapshotAsync(string cluster, params string[] encryption)
    {
        await Cli.CreateClusterAsync(cluster, encryption);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        var snapshot = await Cli.JsonAsync("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", cluster, "--db-cluster-snapshot-identifier", cluster + "-snap");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Snapshot);
        return snapshot["DBClusterSnapshot"]!["DBClusterSnapshotArn"].Text();
    }

    private Task<JsonNode> CopyAsync(AwsCli cli, string source, string target, params string[] extra) =>
        cli.JsonAsync(["rds", "copy-db-cluster-snapshot", "--source-db-cluster-snapshot-identifier", source, "--target-db-cluster-snapshot-identifier", target, .. extra]);

    private Task<CliResult> CopyFailureAsync(AwsCli cli, string source, string target, params string[] extra) =>
        cli.FailureAsync(["rds", "copy-db-cluster-snapshot", "--source-db-cluster-snapshot-identifier", source, "--target-db-cluster-snapshot-identifier", target, .. extra]);

    private static async Task<JsonNode> DescribeSnapshotAsync(AwsCli cli, string identifier) =>
        (await cli.JsonAsync("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier", identifier))["DBClusterSnapshots"]![0]!;

    private int SnapshotsNamed(string account, string identifier) =>
        fixture.Read(rds => rds.Snapshots.Count(s => s.Account == account && s.Identifier == identifier));

    [Fact]
    public async Task Within_the_account_KmsKeyId_re_encrypts_an_aws_rds_or_AWS_owned_snapshot_onto_the_customer_key_and_without_it_the_copy_keeps_the_source_key()
    {
        var key = fixture.CreateCustomerKey(Owner, "us-east-1", "alias/copy-target");
        await SnapshotAsync("copy-managed", "--storage-encrypted");
        await SnapshotAsync("copy-owned");
        var managedKey = (await Cli.JsonAsync("kms", "describe-key", "--key-id", "alias/aws/rds"))["KeyMetadata"]!["Arn"].Text();

        var managedOnKey = (await CopyAsync(Cli, "copy-managed-snap", "copy-managed-cmk", "--kms-key-id", "alias/copy-target"))["DBClusterSnapshot"]!;
        var ownedOnKey = (await CopyAsync(Cli, "copy-owned-snap", "copy-owned-cmk", "--kms-key-id", key.Arn))["DBClusterSnapshot"]!;
        var managedAsIs = (await CopyAsync(Cli, "copy-managed-snap", "copy-managed-same"))["DBClusterSnapshot"]!;
        var ownedAsIs = (await CopyAsync(Cli, "copy-owned-snap", "copy-owned-same"))["DBClusterSnapshot"]!;

        Assert.Equal("copying", managedOnKey["Status"].Text());
        Assert.Equal(("sse-kms", key.Arn), (managedOnKey["StorageEncryptionType"].Text(), managedOnKey["KmsKeyId"].Text()));
        Assert.Equal(("sse-kms", key.Arn), (ownedOnKey["StorageEncryptionType"].Text(), ownedOnKey["KmsKeyId"].Text()));
        Assert.Equal(("sse-kms", managedKey), (managedAsIs["StorageEncryptionType"].Text(), managedAsIs["KmsKeyId"].Text()));
        Assert.Equal("sse-rds", ownedAsIs["StorageEncryptionType"].Text());
        Assert.Null(ownedAsIs["KmsKeyId"]);
        Assert.Equal("copy-owned", ownedOnKey["DBClusterIdentifier"].Text());

        fixture.Advance(fixture.Sandbox.Runtime.Durations.Snapshot);
        var done = await DescribeSnapshotAsync(Cli, "copy-owned-cmk");
        Assert.Equal(("available", true, "manual"), (done["Status"].Text(), done["StorageEncrypted"]!.GetValue<bool>(), done["SnapshotType"].Text()));

        // The copy on the customer key can be shared; the source on the AWS owned key still cannot.
        await Cli.JsonAsync("rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", "copy-owned-cmk", "--attribute-name", "restore", "--values-to-add", Other);
        var refused = await Cli.FailureAsync(
            "rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", "copy-owned-snap", "--attribute-name", "restore", "--values-to-add", Other);
        Assert.Equal("InvalidParameterValue", refused.ErrorCode);

        var taken = await CopyFailureAsync(Cli, "copy-owned-snap", "copy-owned-cmk");
        Assert.Equal("DBClusterSnapshotAlreadyExistsFault", taken.ErrorCode);
    }

    [Fact]
    public async Task An_unencrypted_snapshot_copies_unencrypted_and_a_copy_naming_a_key_is_refused_without_creating_anything()
    {
        fixture.CreateCustomerKey(Owner, "us-east-1", "alias/plain-target");
        await SnapshotAsync("copy-plain", "--no-storage-encrypted");

        var refused = await CopyFailureAsync(Cli, "copy-plain-snap", "copy-plain-cmk", "--kms-key-id", "alias/plain-target");
        var plain = (await CopyAsync(Cli, "copy-plain-snap", "copy-plain-same"))["DBClusterSnapshot"]!;

        // botocore's CopyDBClusterSnapshot KmsKeyId: "If you copy an unencrypted DB cluster snapshot and specify a value for the KmsKeyId parameter, an error is returned."
        Assert.Equal("InvalidParameterCombination", refused.ErrorCode);
        Assert.Contains("restore it with a KmsKeyId", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, SnapshotsNamed(Owner, "copy-plain-cmk"));
        Assert.Equal(("none", false), (plain["StorageEncryptionType"].Text(), plain["StorageEncrypted"]!.GetValue<bool>()));
        Assert.Null(plain["KmsKeyId"]);
    }

    [Fact]
    public async Task Another_account_copies_a_shared_snapshot_on_a_customer_key_it_may_use_onto_its_own_key_and_nothing_it_was_not_given()
    {
        var sharedPolicy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Owner}}:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"Copier","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Other}}:root"},
               "Action":["kms:DescribeKey","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant"],"Resource":"*"}]}
            """;
        var sharedKey = (await Cli.JsonAsync("kms", "create-key", "--policy", sharedPolicy))["KeyMetadata"]!["Arn"].Text();
        fixture.CreateCustomerKey(Owner, "us-east-1", "alias/owner-only");
        var ownKey = fixture.CreateCustomerKey(Other, "us-east-1", "alias/copies");
        var shared = await SnapshotAsync("xacct-cmk", "--kms-key-id", sharedKey);
        var ownerOnly = await SnapshotAsync("xacct-private", "--kms-key-id", "alias/owner-only");
        var managed = await SnapshotAsync("xacct-managed", "--storage-encrypted");
        var owned = await SnapshotAsync("xacct-owned");
        var notShared = await SnapshotAsync("xacct-unshared", "--kms-key-id", sharedKey);
        foreach (var snapshot in new[] { "xacct-cmk-snap", "xacct-private-snap" })
        {
            await Cli.JsonAsync("rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", snapshot, "--attribute-name", "restore", "--values-to-add", Other);
        }

        // aws/rds and an AWS owned key cannot be shared, so the other account can never see them to copy.
        foreach (var snapshot in new[] { "xacct-managed-snap", "xacct-owned-snap" })
        {
            var share = await Cli.FailureAsync(
                "rds", "modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier", snapshot, "--attribute-name", "restore", "--values-to-add", Other);
            Assert.Equal("InvalidParameterValue", share.ErrorCode);
        }

        var copied = (await CopyAsync(OtherCli, shared, "from-owner", "--kms-key-id", "alias/copies"))["DBClusterSnapshot"]!;
        var withoutKey = await CopyFailureAsync(OtherCli, shared, "from-owner-same-key");
        var privateKey = await CopyFailureAsync(OtherCli, ownerOnly, "from-owner-private", "--kms-key-id", "alias/copies");
        var fromManaged = await CopyFailureAsync(OtherCli, managed, "from-owner-managed", "--kms-key-id", "alias/copies");
        var fromOwned = await CopyFailureAsync(OtherCli, owned, "from-owner-owned", "--kms-key-id", "alias/copies");
        var fromUnshared = await CopyFailureAsync(OtherCli, notShared, "from-owner-unshared", "--kms-key-id", "alias/copies");
        var byName = await CopyFailureAsync(OtherCli, "xacct-cmk-snap", "from-owner-by-name", "--kms-key-id", "alias/copies");
        var ontoOwnersKey = await CopyFailureAsync(OtherCli, shared, "from-owner-owner-key", "--kms-key-id", "arn:aws:kms:us-east-1:111111111111:alias/owner-only");

        Assert.Equal(("sse-kms", ownKey.Arn), (copied["StorageEncryptionType"].Text(), copied["KmsKeyId"].Text()));
        Assert.StartsWith($"arn:aws:rds:us-east-1:{Other}:cluster-snapshot:from-owner", copied["DBClusterSnapshotArn"].Text(), StringComparison.Ordinal);
        Assert.Equal("InvalidParameterValue", withoutKey.ErrorCode);
        Assert.Contains("give a KmsKeyId of your account", withoutKey.Stderr, StringComparison.Ordinal);
        Assert.Equal("KMSKeyNotAccessibleFault", privateKey.ErrorCode);
        Assert.Equal("DBClusterSnapshotNotFoundFault", fromManaged.ErrorCode);
        Assert.Equal("DBClusterSnapshotNotFoundFault", fromOwned.ErrorCode);
        Assert.Equal("DBClusterSnapshotNotFoundFault", fromUnshared.ErrorCode);
        Assert.Equal("DBClusterSnapshotNotFoundFault", byName.ErrorCode);
        Assert.Equal("KMSKeyNotAccessibleFault", ontoOwnersKey.ErrorCode);

        // Only the one allowed copy exists in the other account; the refusals made nothing.
        Assert.Equal(
            ["from-owner"],
            fixture.Read(rds => rds.Snapshots.Where(s => s.Account == Other).Select(s => s.Identifier).ToList()));
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Snapshot);
        Assert.Equal("available", (await DescribeSnapshotAsync(OtherCli, "from-owner"))["Status"].Text());
    }
}
