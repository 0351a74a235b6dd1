using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.KeyManagementService;

/// <summary>KMS through the AWS CLI: keys, aliases, policies, rotation, tags and key states.</summary>
public sealed class KmsTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private SessionCli Cli => fixture.Aws;

    [Fact]
    public async Task The_aws_rds_key_exists_in_every_account_as_an_AWS_managed_key_usable_only_through_RDS()
    {
        var first = await Cli.DescribeKeyAsync("alias/aws/rds");
        var again = await Cli.DescribeKeyAsync(first["Arn"].Text());
        var otherAccount = await Cli.As("222222222222").DescribeKeyAsync("alias/aws/rds");
        var policy = JsonNode.Parse((await Cli.JsonAsync("kms", "get-key-policy", "--key-id", "alias/aws/rds", "--policy-name", "default"))["Policy"].Text())!;

        Assert.Equal("AWS", first["KeyManager"].Text());
        Assert.Equal("Enabled", first["KeyState"].Text());
        Assert.Equal("SYMMETRIC_DEFAULT", first["KeySpec"].Text());
        Assert.Equal("111111111111", first["AWSAccountId"].Text());
        Assert.True(first["Enabled"]!.GetValue<bool>());
        Assert.False(first["MultiRegion"]!.GetValue<bool>());
        Assert.Matches("^arn:aws:kms:us-east-1:111111111111:key/[0-9a-f-]{36}$", first["Arn"].Text());
        Assert.Equal(first["KeyId"].Text(), again["KeyId"].Text());
        Assert.Equal("222222222222", otherAccount["AWSAccountId"].Text());
        Assert.NotEqual(first["KeyId"].Text(), otherAccount["KeyId"].Text());
        var viaRds = policy["Statement"]!.AsArray().Single(s => s!["Condition"] is not null)!;
        Assert.Equal("rds.us-east-1.amazonaws.com", viaRds["Condition"]!["StringEquals"]!["kms:ViaService"].Text());
        Assert.Equal("111111111111", viaRds["Condition"]!["StringEquals"]!["kms:CallerAccount"].Text());
    }

    [Fact]
    public async Task CreateKey_makes_a_symmetric_customer_key_that_DescribeKey_finds_by_id_arn_alias_and_alias_arn()
    {
        var created = await Cli.CreateKeyAsync("--description", "rekey target", "--tags", "TagKey=team,TagValue=db");
        var keyId = created["KeyId"].Text();
        await Cli.JsonAsync("kms", "create-alias", "--alias-name", "alias/rekey-find", "--target-key-id", keyId);

        var byId = await Cli.DescribeKeyAsync(keyId);
        var byArn = await Cli.DescribeKeyAsync(created["Arn"].Text());
        var byAlias = await Cli.DescribeKeyAsync("alias/rekey-find");
        var byAliasArn = await Cli.DescribeKeyAsync("arn:aws:kms:us-east-1:111111111111:alias/rekey-find");
        var tags = await Cli.JsonAsync("kms", "list-resource-tags", "--key-id", keyId);

        Assert.Equal("CUSTOMER", created["KeyManager"].Text());
        Assert.Equal("SYMMETRIC_DEFAULT", created["KeySpec"].Text());
        Assert.Equal("ENCRYPT_DECRYPT", created["KeyUsage"].Text());
        Assert.Equal("rekey target", created["Description"].Text());
        Assert.Equal("AWS_KMS", created["Origin"].Text());
        Assert.InRange(created["CreationDate"]!.GetValue<double>(), fixture.Sandbox.Clock.Now.ToUnixTimeSeconds() - 60, fixture.Sandbox.Clock.Now.ToUnixTimeSeconds() + 1);
        Assert.All([byId, byArn, byAlias, byAliasArn], k => Assert.Equal(keyId, k["KeyId"].Text()));
        Assert.Equal("db", tags["Tags"]!.AsArray().Single(t => t!["TagKey"].Text() == "team")!["TagValue"].Text());
    }

    [Fact]
    public async Task CreateKey_honours_KeySpec_KeyUsage_MultiRegion_and_rejects_incompatible_combinations()
    {
        var multiRegion = await Cli.CreateKeyAsync("--multi-region");
        var signing = await Cli.CreateKeyAsync("--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY");
        var wrong = await Cli.FailureAsync("kms", "create-key", "--key-spec", "HMAC_256", "--key-usage", "ENCRYPT_DECRYPT");
        var noUsage = await Cli.FailureAsync("kms", "create-key", "--key-spec", "RSA_2048");

        Assert.True(multiRegion["MultiRegion"]!.GetValue<bool>());
        Assert.StartsWith("mrk-", multiRegion["KeyId"].Text(), StringComparison.Ordinal);
        Assert.Equal("PRIMARY", multiRegion["MultiRegionConfiguration"]!["MultiRegionKeyType"].Text());
        Assert.Equal("ECC_NIST_P256", signing["KeySpec"].Text());
        Assert.Equal("ECDSA_SHA_256", signing["SigningAlgorithms"]![0].Text());
        Assert.Equal("ValidationException", wrong.ErrorCode);
        Assert.Equal("ValidationException", noUsage.ErrorCode);
    }

    [Fact]
    public async Task Aliases_beginning_with_alias_aws_are_reserved_and_an_alias_name_is_taken_once()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        await Cli.JsonAsync("kms", "create-alias", "--alias-name", "alias/rekey-once", "--target-key-id", keyId);

        var reserved = await Cli.FailureAsync("kms", "create-alias", "--alias-name", "alias/aws/rekey", "--target-key-id", keyId);
        var taken = await Cli.FailureAsync("kms", "create-alias", "--alias-name", "alias/rekey-once", "--target-key-id", keyId);
        var missingKey = await Cli.FailureAsync("kms", "describe-key", "--key-id", "alias/rekey-nothing");

        Assert.Equal("InvalidAliasNameException", reserved.ErrorCode);
        Assert.Equal("AlreadyExistsException", taken.ErrorCode);
        Assert.Equal("NotFoundException", missingKey.ErrorCode);
    }

    [Fact]
    public async Task ListAliases_filters_by_key_and_pages_with_Marker_and_Truncated()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        foreach (var name in new[] { "alias/page-a", "alias/page-b", "alias/page-c" })
        {
            await Cli.JsonAsync("kms", "create-alias", "--alias-name", name, "--target-key-id", keyId);
        }

        var ofKey = await Cli.JsonAsync("kms", "list-aliases", "--key-id", keyId);
        var firstPage = await Cli.JsonAsync("kms", "list-aliases", "--key-id", keyId, "--no-paginate", "--limit", "2");
        var secondPage = await Cli.JsonAsync("kms", "list-aliases", "--key-id", keyId, "--no-paginate", "--limit", "2", "--marker", firstPage["NextMarker"].Text());
        var all = await Cli.JsonAsync("kms", "list-aliases");

        Assert.Equal(["alias/page-a", "alias/page-b", "alias/page-c"], ofKey["Aliases"]!.AsArray().Select(a => a!["AliasName"].Text()));
        Assert.All(ofKey["Aliases"]!.AsArray(), a => Assert.Equal(keyId, a!["TargetKeyId"].Text()));
        Assert.True(firstPage["Truncated"]!.GetValue<bool>());
        Assert.Equal(2, firstPage["Aliases"]!.AsArray().Count);
        Assert.False(secondPage["Truncated"]!.GetValue<bool>());
        Assert.Equal("alias/page-c", secondPage["Aliases"]![0]!["AliasName"].Text());
        Assert.Contains(all["Aliases"]!.AsArray(), a => a!["AliasName"].Text() == "alias/aws/backup");
    }

    [Fact]
    public async Task Key_policies_are_stored_and_returned_exactly_as_given_under_the_name_default()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        var policy = KmsTestData.PolicyWith("111111111111", KmsTestData.CopyStatementFor("arn:aws:iam::222222222222:root")).Replace(",", ", ", StringComparison.Ordinal);

        await Cli.JsonAsync("kms", "put-key-policy", "--key-id", keyId, "--policy-name", "default", "--policy", policy);
        var read = await Cli.JsonAsync("kms", "get-key-policy", "--key-id", keyId, "--policy-name", "default");
        var otherName = await Cli.FailureAsync("kms", "get-key-policy", "--key-id", keyId, "--policy-name", "custom");
        var malformed = await Cli.FailureAsync("kms", "put-key-policy", "--key-id", keyId, "--policy-name", "default", "--policy", "{\"Statement\": 3");

        Assert.Equal(policy, read["Policy"].Text());
        Assert.Equal("default", read["PolicyName"].Text());
        Assert.Equal("NotFoundException", otherName.ErrorCode);
        Assert.Equal("MalformedPolicyDocumentException", malformed.ErrorCode);
    }

    [Fact]
    public async Task A_policy_that_would_lock_the_caller_out_is_refused_unless_the_safety_check_is_bypassed()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        var onlyOthers = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Statement"] = new JsonArray(KmsTestData.CopyStatementFor("222222222222")),
        }.ToJsonString();

        var refused = await Cli.FailureAsync("kms", "put-key-policy", "--key-id", keyId, "--policy-name", "default", "--policy", onlyOthers);
        await Cli.JsonAsync("kms", "put-key-policy", "--key-id", keyId, "--policy-name", "default", "--policy", onlyOthers, "--bypass-policy-lockout-safety-check");
        var lockedOut = await Cli.FailureAsync("kms", "get-key-policy", "--key-id", keyId, "--policy-name", "default");

        Assert.Equal("MalformedPolicyDocumentException", refused.ErrorCode);
        Assert.Equal("AccessDeniedException", lockedOut.ErrorCode);
    }

    [Fact]
    public async Task AWS_managed_keys_cannot_be_changed_and_always_rotate()
    {
        var rotation = await Cli.JsonAsync("kms", "get-key-rotation-status", "--key-id", "alias/aws/rds");
        var put = await Cli.FailureAsync("kms", "put-key-policy", "--key-id", "alias/aws/rds", "--policy-name", "default", "--policy", KmsTestData.PolicyWith("111111111111", KmsTestData.CopyStatementFor("222222222222")));
        var disableRotation = await Cli.FailureAsync("kms", "disable-key-rotation", "--key-id", "alias/aws/rds");
        var disable = await Cli.FailureAsync("kms", "disable-key", "--key-id", "alias/aws/rds");
        var schedule = await Cli.FailureAsync("kms", "schedule-key-deletion", "--key-id", "alias/aws/rds");
        var tag = await Cli.FailureAsync("kms", "tag-resource", "--key-id", "alias/aws/rds", "--tags", "TagKey=a,TagValue=b");

        Assert.True(rotation["KeyRotationEnabled"]!.GetValue<bool>());
        Assert.All([put, disableRotation, disable, schedule, tag], f => Assert.Equal("AccessDeniedException", f.ErrorCode));
        Assert.Contains("kms:PutKeyPolicy", put.Stderr, StringComparison.Ordinal);
        Assert.Equal("Enabled", (await Cli.DescribeKeyAsync("alias/aws/rds"))["KeyState"].Text());
    }

    [Fact]
    public async Task Rotation_of_a_customer_key_can_be_enabled_with_a_period_but_not_while_the_key_is_disabled()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        var before = await Cli.JsonAsync("kms", "get-key-rotation-status", "--key-id", keyId);
        await Cli.JsonAsync("kms", "enable-key-rotation", "--key-id", keyId, "--rotation-period-in-days", "180");
        var after = await Cli.JsonAsync("kms", "get-key-rotation-status", "--key-id", keyId);
        await Cli.JsonAsync("kms", "disable-key", "--key-id", keyId);
        var whileDisabled = await Cli.FailureAsync("kms", "enable-key-rotation", "--key-id", keyId);

        Assert.False(before["KeyRotationEnabled"]!.GetValue<bool>());
        Assert.True(after["KeyRotationEnabled"]!.GetValue<bool>());
        Assert.Equal(180, after["RotationPeriodInDays"]!.GetValue<int>());
        Assert.InRange(after["NextRotationDate"]!.GetValue<double>(), fixture.Sandbox.Clock.Now.AddDays(180).ToUnixTimeSeconds() - 60, fixture.Sandbox.Clock.Now.AddDays(180).ToUnixTimeSeconds() + 1);
        Assert.Equal("DisabledException", whileDisabled.ErrorCode);
    }

    [Fact]
    public async Task Keys_move_between_Enabled_Disabled_and_PendingDeletion_and_a_pending_key_refuses_changes()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        await Cli.JsonAsync("kms", "disable-key", "--key-id", keyId);
        var disabled = await Cli.DescribeKeyAsync(keyId);
        await Cli.JsonAsync("kms", "enable-key", "--key-id", keyId);
        var enabled = await Cli.DescribeKeyAsync(keyId);
        var scheduled = await Cli.JsonAsync("kms", "schedule-key-deletion", "--key-id", keyId, "--pending-window-in-days", "7");
        var pending = await Cli.DescribeKeyAsync(keyId);
        var enableWhilePending = await Cli.FailureAsync("kms", "enable-key", "--key-id", keyId);
        var tooShort = await Cli.FailureAsync("kms", "schedule-key-deletion", "--key-id", (await Cli.CreateKeyAsync())["KeyId"].Text(), "--pending-window-in-days", "3");
        await Cli.JsonAsync("kms", "cancel-key-deletion", "--key-id", keyId);
        var cancelled = await Cli.DescribeKeyAsync(keyId);

        Assert.Equal("Disabled", disabled["KeyState"].Text());
        Assert.False(disabled["Enabled"]!.GetValue<bool>());
        Assert.Equal("Enabled", enabled["KeyState"].Text());
        Assert.Equal("PendingDeletion", scheduled["KeyState"].Text());
        Assert.Equal(7, scheduled["PendingWindowInDays"]!.GetValue<int>());
        Assert.Equal("PendingDeletion", pending["KeyState"].Text());
        Assert.InRange(pending["DeletionDate"]!.GetValue<double>(), fixture.Sandbox.Clock.Now.AddDays(7).ToUnixTimeSeconds() - 60, fixture.Sandbox.Clock.Now.AddDays(7).ToUnixTimeSeconds() + 1);
        Assert.Equal("KMSInvalidStateException", enableWhilePending.ErrorCode);
        Assert.Equal("ValidationException", tooShort.ErrorCode);
        Assert.Equal("Disabled", cancelled["KeyState"].Text());
    }

    [Fact]
    public async Task A_key_pending_deletion_is_deleted_with_its_aliases_when_its_window_ends()
    {
        var keyId = (await Cli.CreateKeyAsync())["KeyId"].Text();
        await Cli.JsonAsync("kms", "create-alias", "--alias-name", "alias/rekey-doomed", "--target-key-id", keyId);
        await Cli.JsonAsync("kms", "schedule-key-deletion", "--key-id", keyId, "--pending-window-in-days", "7");

        fixture.Advance(TimeSpan.FromDays(6));
        var stillPending = await Cli.DescribeKeyAsync(keyId);
        fixture.Advance(TimeSpan.FromDays(1));
        var gone = await Cli.FailureAsync("kms", "describe-key", "--key-id", keyId);
        var aliasGone = await Cli.FailureAsync("kms", "describe-key", "--key-id", "alias/rekey-doomed");
        var keys = await Cli.JsonAsync("kms", "list-keys");

        Assert.Equal("PendingDeletion", stillPending["KeyState"].Text());
        Assert.Equal("NotFoundException", gone.ErrorCode);
        Assert.Equal("NotFoundException", aliasGone.ErrorCode);
        Assert.DoesNotContain(keys["Keys"]!.AsArray(), k => k!["KeyId"].Text() == keyId);
    }

    [Fact]
    public async Task ListKeys_lists_the_account_keys_and_DeleteAlias_and_UntagResource_undo_CreateAlias_and_TagResource()
    {
        var key = await Cli.CreateKeyAsync("--tags", "TagKey=keep,TagValue=1", "TagKey=drop,TagValue=2");
        var keyId = key["KeyId"].Text();
        await Cli.JsonAsync("kms", "create-alias", "--alias-name", "alias/rekey-temporary", "--target-key-id", keyId);

        var keys = await Cli.JsonAsync("kms", "list-keys");
        var otherAccountKeys = await Cli.As("222222222222").JsonAsync("kms", "list-keys");
        await Cli.JsonAsync("kms", "delete-alias", "--alias-name", "alias/rekey-temporary");
        await Cli.JsonAsync("kms", "untag-resource", "--key-id", keyId, "--tag-keys", "drop");
        var aliases = await Cli.JsonAsync("kms", "list-aliases", "--key-id", keyId);
        var tags = await Cli.JsonAsync("kms", "list-resource-tags", "--key-id", keyId);
        var deleteReserved = await Cli.FailureAsync("kms", "delete-alias", "--alias-name", "alias/aws/rds");

        Assert.Contains(keys["Keys"]!.AsArray(), k => k!["KeyId"].Text() == keyId && k["KeyArn"].Text() == key["Arn"].Text());
        Assert.DoesNotContain(otherAccountKeys["Keys"]!.AsArray(), k => k!["KeyId"].Text() == keyId);
        Assert.Empty(aliases["Aliases"]!.AsArray());
        Assert.Equal(["keep"], tags["Tags"]!.AsArray().Select(t => t!["TagKey"].Text()));
        Assert.Equal("InvalidAliasNameException", deleteReserved.ErrorCode);
    }

    [Fact]
    public async Task Keys_are_regional_each_region_has_its_own_aws_rds_key_and_another_region_does_not_find_a_key_by_ARN()
    {
        var arn = (await Cli.CreateKeyAsync())["Arn"].Text();
        var west = Cli.InRegion("eu-west-1");

        var fromWest = await west.FailureAsync("kms", "describe-key", "--key-id", arn);
        var westManaged = await west.DescribeKeyAsync("alias/aws/rds");
        var eastManaged = await Cli.DescribeKeyAsync("alias/aws/rds");

        Assert.Equal("NotFoundException", fromWest.ErrorCode);
        Assert.StartsWith("arn:aws:kms:eu-west-1:111111111111:key/", westManaged["Arn"].Text(), StringComparison.Ordinal);
        Assert.NotEqual(eastManaged["KeyId"].Text(), westManaged["KeyId"].Text());
    }
}
