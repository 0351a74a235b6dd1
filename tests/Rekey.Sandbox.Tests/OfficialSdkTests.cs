using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rekey.Sandbox.Tests.SecurityToken;

namespace Rekey.Sandbox.Tests;

/// <summary>The official AWS SDK for .NET (STS client) against the sandbox, unchanged but for the endpoint.</summary>
public sealed class OfficialSdkTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AmazonSecurityTokenServiceClient Client(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = fixture.Sandbox.BaseUrl.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

    [Fact]
    public async Task The_dotnet_STS_client_assumes_a_role_and_its_credentials_act_in_the_role_account()
    {
        await StsTestData.CreateRoleAsync(fixture.Cli, "222222222222", "rekey-backup", StsTestData.TrustFor("111111111111"));
        using var caller = Client(new BasicAWSCredentials("111111111111", "sandbox-secret"));
        var me = await caller.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        var assumed = await caller.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::222222222222:role/rekey-backup", RoleSessionName = "dotnet" });
        using var asRole = Client(new SessionAWSCredentials(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken));
        var role = await asRole.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal("111111111111", me.Account);
        Assert.Equal("arn:aws:sts::222222222222:assumed-role/rekey-backup/dotnet", assumed.AssumedRoleUser.Arn);
        Assert.Equal("222222222222", role.Account);
        Assert.Equal(assumed.AssumedRoleUser.Arn, role.Arn);
    }

    [Fact]
    public async Task The_dotnet_STS_client_reads_the_sandbox_error_code()
    {
        using var caller = Client(new BasicAWSCredentials("111111111111", "sandbox-secret"));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            caller.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::1:role/x", RoleSessionName = "dotnet" }));

        Assert.Equal("ValidationError", error.ErrorCode);
    }

    [Fact]
    public async Task The_dotnet_STS_client_reads_AccessDenied_for_a_role_whose_trust_does_not_name_the_caller()
    {
        await StsTestData.CreateRoleAsync(fixture.Cli, "222222222222", "rekey-strangers-only", StsTestData.TrustFor("333333333333"));
        using var caller = Client(new BasicAWSCredentials("111111111111", "sandbox-secret"));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            caller.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::222222222222:role/rekey-strangers-only", RoleSessionName = "dotnet" }));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/rekey-strangers-only", error.Message);
    }
}
