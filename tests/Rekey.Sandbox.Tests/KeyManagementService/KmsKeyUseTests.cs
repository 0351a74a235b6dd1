using System.Text.Json.Nodes;
using Rekey.Sandbox.Tests.SecurityToken;

namespace Rekey.Sandbox.Tests.KeyManagementService;

/// <summary>Using keys from other accounts, and RDS seeing KMS's key states.</summary>
public sealed class KmsKeyUseTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private SessionCli Cli => fixture.Aws;

    [Fact]
    public async Task Another_account_can_use_a_key_only_as_far_as_the_key_policy_names_it()
    {
        var key = await Cli.CreateKeyAsync();
        var arn = key["Arn"].Text();
        var backupAccount = Cli.As("222222222222");

        var before = await backupAccount.FailureAsync("kms", "describe-key", "--key-id", arn);
        await Cli.JsonAsync("kms", "put-key-policy", "--key-id", arn, "--policy-name", "default", "--policy",
            KmsTestData.PolicyWith("111111111111", KmsTestData.CopyStatementFor("arn:aws:iam::222222222222:root")));
        var after = await backupAccount.DescribeKeyAsync(arn);
        var stranger = await Cli.As("333333333333").FailureAsync("kms", "describe-key", "--key-id", arn);
        var notCrossAccount = await backupAccount.FailureAsync("kms", "get-key-policy", "--key-id", arn, "--policy-name", "default");
        var byIdFromOtherAccount = await backupAccount.FailureAsync("kms", "describe-key", "--key-id", key["KeyId"].Text());

        Assert.Equal("AccessDeniedException", before.ErrorCode);
        Assert.Equal(key["KeyId"].Text(), after["KeyId"].Text());
        Assert.Equal("111111111111", after["AWSAccountId"].Text());
        Assert.Equal("AccessDeniedException", stranger.ErrorCode);
        Assert.Equal("NotFoundException", notCrossAccount.ErrorCode);
        Assert.Equal("NotFoundException", byIdFromOtherAccount.ErrorCode);
    }

    [Fact]
    public async Task A_role_principal_admits_that_role_only_and_not_the_rest_of_its_account()
    {
        var arn = (await Cli.CreateKeyAsync("--policy", KmsTestData.PolicyWith("111111111111", KmsTestData.CopyStatementFor("arn:aws:iam::222222222222:role/rekey-backup"))))["Arn"].Text();
        foreach (var roleName in new[] { "rekey-backup", "someone-else" })
        {
            await Cli.As("222222222222").JsonAsync("iam", "create-role", "--role-name", roleName, "--assume-role-policy-document", StsTestData.TrustFor("111111111111"));
        }

        var assumed = await Cli.JsonAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::222222222222:role/rekey-backup", "--role-session-name", "copy");
        var otherRole = await Cli.JsonAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::222222222222:role/someone-else", "--role-session-name", "copy");

        var asRole = await Cli.As(assumed["Credentials"]!["AccessKeyId"].Text(), assumed["Credentials"]!["SessionToken"].Text()).DescribeKeyAsync(arn);
        var asOtherRole = await Cli.As(otherRole["Credentials"]!["AccessKeyId"].Text(), otherRole["Credentials"]!["SessionToken"].Text()).FailureAsync("kms", "describe-key", "--key-id", arn);
        var asRoot = await Cli.As("222222222222").FailureAsync("kms", "describe-key", "--key-id", arn);

        Assert.Equal(arn, asRole["Arn"].Text());
        Assert.Equal("AccessDeniedException", asOtherRole.ErrorCode);
        Assert.Contains("assumed-role/someone-else/copy", asOtherRole.Stderr, StringComparison.Ordinal);
        Assert.Equal("AccessDeniedException", asRoot.ErrorCode);
    }

    [Fact]
    public async Task A_wildcard_principal_with_aws_PrincipalOrgID_admits_the_organization_members_only()
    {
        var statement = KmsTestData.CopyStatementFor("*");
        statement["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["aws:PrincipalOrgID"] = fixture.Sandbox.Organizations.Of("111111111111")!.Id } };
        var arn = (await Cli.CreateKeyAsync("--policy", KmsTestData.PolicyWith("111111111111", statement)))["Arn"].Text();

        var member = await Cli.As("222222222222").JsonAsync("kms", "describe-key", "--key-id", arn);
        var outsider = await Cli.As("333333333333").FailureAsync("kms", "describe-key", "--key-id", arn);

        Assert.Equal(arn, member["KeyMetadata"]!["Arn"].Text());
        Assert.Equal("AccessDeniedException", outsider.ErrorCode);
    }

    [Fact]
    public async Task The_AWS_managed_key_of_one_account_is_unusable_from_another()
    {
        var arn = (await Cli.DescribeKeyAsync("alias/aws/rds"))["Arn"].Text();

        var failure = await Cli.As("222222222222").FailureAsync("kms", "describe-key", "--key-id", arn);

        Assert.Equal("AccessDeniedException", failure.ErrorCode);
        Assert.False(fixture.Sandbox.Keys.MayUse("222222222222", fixture.Sandbox.Keys.Find("111111111111", "us-east-1", arn)!, "kms:CreateGrant"));
    }

    [Fact]
    public async Task A_restore_onto_a_disabled_or_pending_deletion_key_fails_with_KMSKeyNotAccessibleFault_and_onto_an_enabled_one_succeeds()
    {
        await Cli.CreateClusterAsync("kms-restore-source", "--storage-encrypted");
        fixture.Advance(TimeSpan.FromMinutes(15));
        var disabledKey = (await Cli.CreateKeyAsync())["Arn"].Text();
        var pendingKey = (await Cli.CreateKeyAsync())["Arn"].Text();
        var goodKey = (await Cli.CreateKeyAsync())["Arn"].Text();
        await Cli.JsonAsync("kms", "disable-key", "--key-id", disabledKey);
        await Cli.JsonAsync("kms", "schedule-key-deletion", "--key-id", pendingKey);

        string[] Restore(string target, string key) =>
        [
            "rds", "restore-db-cluster-to-point-in-time", "--source-db-cluster-identifier", "kms-restore-source",
            "--db-cluster-identifier", target, "--use-latest-restorable-time", "--kms-key-id", key,
        ];
        var onDisabled = await Cli.FailureAsync(Restore("kms-restore-disabled", disabledKey));
        var onPending = await Cli.FailureAsync(Restore("kms-restore-pending", pendingKey));
        var restored = await Cli.JsonAsync(Restore("kms-restore-good", goodKey));

        Assert.Equal("KMSKeyNotAccessibleFault", onDisabled.ErrorCode);
        Assert.Equal("KMSKeyNotAccessibleFault", onPending.ErrorCode);
        Assert.Equal(goodKey, restored["DBCluster"]!["KmsKeyId"].Text());
    }

    [Fact]
    public async Task RDS_in_another_account_can_encrypt_with_a_key_only_when_its_policy_shares_the_key_with_that_account()
    {
        var shared = (await Cli.CreateKeyAsync("--policy", KmsTestData.PolicyWith("111111111111", KmsTestData.CopyStatementFor("arn:aws:iam::222222222222:root"))))["Arn"].Text();
        var notShared = (await Cli.CreateKeyAsync())["Arn"].Text();
        var otherAccount = Cli.As("222222222222");

        var created = await otherAccount.CreateClusterAsync("kms-shared-key-cluster", "--storage-encrypted", "--kms-key-id", shared);
        var refused = await otherAccount.FailureAsync(
            "rds", "create-db-cluster", "--db-cluster-identifier", "kms-private-key-cluster", "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password", "--storage-encrypted", "--kms-key-id", notShared);

        Assert.Equal(shared, created["DBCluster"]!["KmsKeyId"].Text());
        Assert.Equal("KMSKeyNotAccessibleFault", refused.ErrorCode);
    }

    [Fact]
    public async Task A_same_account_key_whose_policy_does_not_let_the_caller_use_it_through_RDS_refuses_the_restore_and_the_instance()
    {
        var key = (await Cli.CreateKeyAsync())["Arn"].Text();
        await Cli.CreateClusterAsync("kms-own-policy-source", "--storage-encrypted", "--kms-key-id", key);
        fixture.Advance(TimeSpan.FromMinutes(15));
        var onlyAdmin = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/key-admin"},"Action":"kms:*","Resource":"*"}]}""";
        await Cli.JsonAsync("kms", "put-key-policy", "--key-id", key, "--policy-name", "default", "--policy", onlyAdmin, "--bypass-policy-lockout-safety-check");
        var before = fixture.Sandbox.Calls.Find(service: "rds", mutating: true).Count;

        var restore = await Cli.FailureAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--source-db-cluster-identifier", "kms-own-policy-source",
            "--db-cluster-identifier", "kms-own-policy-target", "--use-latest-restorable-time", "--kms-key-id", key);
        var instance = await Cli.FailureAsync(
            "rds", "create-db-instance", "--db-instance-identifier", "kms-own-policy-1", "--db-cluster-identifier", "kms-own-policy-source",
            "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large");
        var clusters = await Cli.JsonAsync("rds", "describe-db-clusters");

        Assert.Equal("KMSKeyNotAccessibleFault", restore.ErrorCode);
        Assert.Equal("KMSKeyNotAccessibleFault", instance.ErrorCode);
        Assert.DoesNotContain(clusters["DBClusters"]!.AsArray(), c => c!["DBClusterIdentifier"].Text() == "kms-own-policy-target");
        // Both mutating calls were refused: nothing changed.
        Assert.Equal(
            ["KMSKeyNotAccessibleFault", "KMSKeyNotAccessibleFault"],
            fixture.Sandbox.Calls.Find(service: "rds", mutating: true).Skip(before).Select(c => c.ErrorCode));
    }

    [Fact]
    public async Task A_same_account_key_whose_policy_delegates_to_the_account_lets_RDS_use_it_through_the_caller()
    {
        var key = (await Cli.CreateKeyAsync())["Arn"].Text();
        var rdsOnly = new JsonObject
        {
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = "arn:aws:iam::111111111111:root" },
            ["Action"] = new JsonArray("kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey*"),
            ["Resource"] = "*",
            ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["kms:ViaService"] = "rds.us-east-1.amazonaws.com" } },
        };
        await Cli.JsonAsync("kms", "put-key-policy", "--key-id", key, "--policy-name", "default", "--policy", KmsTestData.PolicyWith("111111111111", rdsOnly));

        var created = await Cli.CreateClusterAsync("kms-own-delegated", "--storage-encrypted", "--kms-key-id", key);

        Assert.Equal(key, created["DBCluster"]!["KmsKeyId"].Text());
    }
}
