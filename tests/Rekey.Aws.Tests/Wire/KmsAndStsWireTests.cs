using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.SecurityToken.Model;
using Rekey.Aws.Runtime;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Wire;

/// <summary>The official KMS and STS clients, made by the factory, against moto_server.</summary>
[Collection(MotoCollection.Name)]
public sealed class KmsAndStsWireTests(MotoServer moto)
{
    private readonly AwsClientFactory _factory = moto.Factory();

    [Fact]
    public async Task Customer_managed_key_is_created_aliased_tagged_rotated_and_its_policy_replaced()
    {
        using var kms = _factory.CreateKms(MotoServer.Region);
        var created = await kms.CreateKeyAsync(new CreateKeyRequest
        {
            Description = "Rekey cluster key",
            KeySpec = KeySpec.SYMMETRIC_DEFAULT,
            KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
            Tags = [new Amazon.KeyManagementService.Model.Tag { TagKey = "rekey:cluster", TagValue = "orders" }],
        });
        var keyId = created.KeyMetadata.KeyId;
        Assert.NotNull(created.ServerDate());

        var alias = "alias/" + RdsWireTests.NewId("key");
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = keyId });
        var aliases = new List<AliasListEntry>();
        await foreach (var entry in kms.Paginators.ListAliases(new ListAliasesRequest()).Aliases)
        {
            aliases.Add(entry);
        }

        Assert.Contains(aliases, a => a.AliasName == alias && a.TargetKeyId == keyId);

        var described = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });
        Assert.Equal(KeyManagerType.CUSTOMER, described.KeyMetadata.KeyManager);
        Assert.Equal(KeyState.Enabled, described.KeyMetadata.KeyState);

        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId });
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })).KeyRotationEnabled);

        const string policy = """{"Version":"2012-10-17","Statement":[{"Sid":"backup-account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}""";
        await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyId, PolicyName = "default", Policy = policy });
        var read = await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyId, PolicyName = "default" });
        Assert.Contains("222222222222", read.Policy, StringComparison.Ordinal);

        await kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Amazon.KeyManagementService.Model.Tag { TagKey = "rekey:run", TagValue = "run-1" }] });
    }

    [Fact]
    public async Task Describing_a_missing_key_fails_with_the_official_NotFoundException()
    {
        using var kms = _factory.CreateKms(MotoServer.Region);
        await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.NotFoundException>(() =>
            kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task Caller_identity_is_read_and_an_assumed_role_session_carries_the_run_id_for_the_requested_duration()
    {
        using var sts = _factory.CreateSts(MotoServer.Region);
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Matches("^[0-9]{12}$", identity.Account);
        Assert.NotNull(identity.ServerDate());

        var (backupAccount, assumed) = await _factory.AssumeRoleAsync(
            MotoServer.Region, "arn:aws:iam::222222222222:role/rekey-backup", "rekey-run-42", durationSeconds: 900);
        Assert.Contains("rekey-run-42", assumed.AssumedRoleUser.Arn, StringComparison.Ordinal);
        var lifetime = assumed.Credentials.Expiration!.Value.ToUniversalTime() - assumed.RequireServerDate().UtcDateTime;
        Assert.InRange(lifetime, TimeSpan.FromSeconds(840), TimeSpan.FromSeconds(960));

        using var backupSts = backupAccount.CreateSts(MotoServer.Region);
        var asRole = await backupSts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal("222222222222", asRole.Account);
        Assert.Contains("rekey-run-42", asRole.Arn, StringComparison.Ordinal);
    }
}
