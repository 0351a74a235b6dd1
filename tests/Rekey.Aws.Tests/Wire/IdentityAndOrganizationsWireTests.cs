using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon.Runtime;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.IdentityManagement.Model;
using Rekey.Aws.Organizations;
using Rekey.Aws.Organizations.Model;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Wire;

/// <summary>
/// IAM GetRole and Organizations DescribeOrganization against moto_server. The fixtures (a role, an
/// organization) are made with boto3, which Rekey's clients do not cover; each test works in its own
/// account (an STS role session into a fresh account id) so moto's shared state cannot leak between them.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class IdentityAndOrganizationsWireTests(MotoServer moto)
{
    private readonly AwsClientFactory _factory = moto.Factory();

    [Fact]
    public async Task Organization_created_in_an_account_is_described_with_that_account_as_its_management_account()
    {
        var (account, factory, credentials) = await NewAccountAsync();
        var created = Boto3(credentials, "print(json.dumps(client('organizations').create_organization(FeatureSet='ALL')['Organization']))");

        using var organizations = factory.CreateOrganizations(MotoServer.Region);
        var response = await organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest());

        var organization = response.Organization!;
        Assert.Equal(created.GetProperty("Id").GetString(), organization.Id);
        Assert.Equal(created.GetProperty("Arn").GetString(), organization.Arn);
        Assert.Equal(account, organization.MasterAccountId);
        Assert.Equal(OrganizationFeatureSet.All, organization.FeatureSet);
        Assert.Contains(organization.AvailablePolicyTypes!, p => p.Type == PolicyType.ServiceControlPolicy && p.Status == PolicyTypeStatus.Enabled);
        RdsWireTests.AssertAwsClock(response);
    }

    [Fact]
    public async Task Account_outside_any_organization_fails_with_AWSOrganizationsNotInUseException()
    {
        var (_, factory, _) = await NewAccountAsync();
        using var organizations = factory.CreateOrganizations(MotoServer.Region);

        var error = await Assert.ThrowsAsync<AWSOrganizationsNotInUseException>(() => organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest()));

        Assert.Equal("AWSOrganizationsNotInUseException", error.ErrorCode);
        Assert.Equal("Your account is not a member of an organization.", error.Message);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.IsAssignableFrom<AmazonOrganizationsException>(error);
    }

    [Fact]
    public async Task Role_created_with_boto3_is_read_back_with_its_trust_policy_tags_and_session_duration()
    {
        var name = RdsWireTests.NewId("role");
        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        Boto3(null,
            $"client('iam').create_role(RoleName='{name}', Path='/rekey/', AssumeRolePolicyDocument='{trust}', Description='AWS Backup service role', " +
            "MaxSessionDuration=7200, Tags=[{'Key': 'rekey:purpose', 'Value': 'backup'}]); print('{}')");
        using var iam = _factory.CreateIam(MotoServer.Region);

        var response = await iam.GetRoleAsync(new GetRoleRequest { RoleName = name });

        var role = response.Role!;
        Assert.Equal(name, role.RoleName);
        Assert.Equal("/rekey/", role.Path);
        Assert.Equal($"arn:aws:iam::123456789012:role/rekey/{name}", role.Arn);
        Assert.Equal("AWS Backup service role", role.Description);
        Assert.Equal(7200, role.MaxSessionDuration);
        Assert.StartsWith("AROA", role.RoleId, StringComparison.Ordinal);
        Assert.InRange(role.CreateDate!.Value.ToUniversalTime(), DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));
        var tag = Assert.Single(role.Tags!);
        Assert.Equal(("rekey:purpose", "backup"), (tag.Key, tag.Value));

        // IAM returns policy documents URL-encoded (RFC 3986).
        using var policy = JsonDocument.Parse(Uri.UnescapeDataString(role.AssumeRolePolicyDocument!));
        Assert.Equal("backup.amazonaws.com", policy.RootElement.GetProperty("Statement")[0].GetProperty("Principal").GetProperty("Service").GetString());
        RdsWireTests.AssertAwsClock(response);
    }

    [Fact]
    public async Task Missing_role_fails_with_NoSuchEntityException_naming_the_role()
    {
        var name = RdsWireTests.NewId("absent");
        using var iam = _factory.CreateIam(MotoServer.Region);

        var error = await Assert.ThrowsAsync<NoSuchEntityException>(() => iam.GetRoleAsync(new GetRoleRequest { RoleName = name }));

        Assert.Equal("NoSuchEntity", error.ErrorCode);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.IsAssignableFrom<AmazonIdentityManagementServiceException>(error);
    }

    /// <summary>A role session in a fresh account: moto keys Organizations state by the caller's account.</summary>
    private async Task<(string Account, IAwsClientFactory Factory, ImmutableCredentials Credentials)> NewAccountAsync()
    {
        var account = Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);
        var (factory, response) = await _factory.AssumeRoleAsync(MotoServer.Region, $"arn:aws:iam::{account}:role/rekey", "rekey-wire-test");
        var c = response.Credentials;
        return (account, factory, new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken));
    }

    /// <summary>Runs boto3 against moto with a client(service) helper; the code prints one JSON document.</summary>
    private JsonElement Boto3(ImmutableCredentials? credentials, string code)
    {
        var keys = credentials == null
            ? "aws_access_key_id='AKIAMOTOTESTING00001', aws_secret_access_key='moto-secret'"
            : $"aws_access_key_id='{credentials.AccessKey}', aws_secret_access_key='{credentials.SecretKey}', aws_session_token='{credentials.Token}'";
        var script = "import json, boto3\n" +
            $"def client(name): return boto3.client(name, region_name='us-east-1', endpoint_url='{moto.Endpoint}', {keys})\n" +
            code + "\n";
        using var document = JsonDocument.Parse(Python.Run(script));
        return document.RootElement.Clone();
    }
}
