using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Organizations;
using Rekey.Sandbox.Tests.Backup;
using Rekey.Sandbox.Tests.KeyManagementService;
using static Rekey.Sandbox.Tests.Backup.BackupTestData;

namespace Rekey.Sandbox.Tests.Organizations;

/// <summary>
/// AWS Organizations' DescribeOrganization and the sandbox API that makes more organizations and
/// moves accounts between them; AWS Backup's global settings follow each account's organization.
/// </summary>
public sealed class OrganizationsTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private SessionCli Cli => fixture.Aws;

    [Fact]
    public async Task A_member_account_gets_its_organization_as_DescribeOrganization_shows_it()
    {
        var organization = (await Cli.As(BackupAccount).JsonAsync("organizations", "describe-organization"))["Organization"]!;

        Assert.Equal("o-sandbox0001", organization["Id"].Text());
        Assert.Equal("arn:aws:organizations::999999999999:organization/o-sandbox0001", organization["Arn"].Text());
        Assert.Equal("ALL", organization["FeatureSet"].Text());
        Assert.Equal("999999999999", organization["MasterAccountId"].Text());
        Assert.Equal("arn:aws:organizations::999999999999:account/o-sandbox0001/999999999999", organization["MasterAccountArn"].Text());
        Assert.Contains("@", organization["MasterAccountEmail"].Text(), StringComparison.Ordinal);
        var policyType = Assert.Single(organization["AvailablePolicyTypes"]!.AsArray())!;
        Assert.Equal("SERVICE_CONTROL_POLICY", policyType["Type"].Text());
        Assert.Equal("ENABLED", policyType["Status"].Text());
    }

    [Fact]
    public async Task An_account_in_no_organization_gets_AWSOrganizationsNotInUseException()
    {
        var outside = await Cli.As("555555555555").FailureAsync("organizations", "describe-organization");

        Assert.Equal("AWSOrganizationsNotInUseException", outside.ErrorCode);
        Assert.Contains("Your account is not a member of an organization.", outside.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_organization_takes_an_account_which_then_reads_and_changes_only_its_own_backup_settings()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var created = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"444444444444","id":"o-secondorg01"}"""));
        using var moved = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/666666666666", UriKind.Relative), Body("""{"organizationId":"o-secondorg01"}"""));

        var seenByMover = (await Cli.As("666666666666").JsonAsync("organizations", "describe-organization"))["Organization"]!;
        var seenBySource = (await Cli.JsonAsync("organizations", "describe-organization"))["Organization"]!;
        var byMember = await Cli.As("666666666666").FailureAsync("backup", "update-global-settings", "--global-settings", "isCrossAccountBackupEnabled=true");
        await Cli.As("444444444444").JsonAsync("backup", "update-global-settings", "--global-settings", "isCrossAccountBackupEnabled=true");
        var secondOrganization = await Cli.As("666666666666").JsonAsync("backup", "describe-global-settings");
        var firstOrganization = await Cli.JsonAsync("backup", "describe-global-settings");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("o-secondorg01", seenByMover["Id"].Text());
        Assert.Equal("444444444444", seenByMover["MasterAccountId"].Text());
        Assert.Equal("o-sandbox0001", seenBySource["Id"].Text());
        Assert.Equal("InvalidRequestException", byMember.ErrorCode);
        Assert.Contains("444444444444", byMember.Stderr, StringComparison.Ordinal);
        Assert.Equal("true", secondOrganization["GlobalSettings"]!["isCrossAccountBackupEnabled"].Text());
        Assert.Equal("false", firstOrganization["GlobalSettings"]!["isCrossAccountBackupEnabled"].Text());
        Assert.Null(firstOrganization["LastUpdateTime"]);
    }

    [Fact]
    public async Task An_account_moved_out_of_every_organization_gets_the_answers_of_an_account_outside_one()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var created = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"777777777777"}"""));
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"].Text();
        using var joined = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/888888888888", UriKind.Relative), Body($$"""{"organizationId":"{{id}}"}"""));
        var whileMember = (await Cli.As("888888888888").JsonAsync("organizations", "describe-organization"))["Organization"]!;

        using var left = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/888888888888", UriKind.Relative), Body("""{"organizationId":null}"""));
        var organizations = await Cli.As("888888888888").FailureAsync("organizations", "describe-organization");
        var backup = await Cli.As("888888888888").FailureAsync("backup", "describe-global-settings");

        Assert.Matches("^o-[a-z0-9]{10}$", id);
        Assert.Equal(id, whileMember["Id"].Text());
        Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        Assert.Equal("AWSOrganizationsNotInUseException", organizations.ErrorCode);
        Assert.Equal("ERROR_9601", backup.ErrorCode);
    }

    [Fact]
    public async Task The_sandbox_API_refuses_moving_a_management_account_a_second_organization_for_a_member_and_an_unknown_organization()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };

        using var management = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/999999999999", UriKind.Relative), Body("""{"organizationId":null}"""));
        using var member = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"111111111111"}"""));
        using var unknown = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/123456789012", UriKind.Relative), Body("""{"organizationId":"o-doesnotexist"}"""));
        using var badId = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"123456789012","id":"org-1"}"""));

        Assert.Equal(HttpStatusCode.Conflict, management.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, member.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Equal("o-sandbox0001", (await Cli.As(ManagementAccount).JsonAsync("organizations", "describe-organization"))["Organization"]!["Id"].Text());
    }

    [Fact]
    public async Task A_key_policy_admitting_one_organization_by_aws_PrincipalOrgID_refuses_an_account_of_another()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var created = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"121212121212","id":"o-policyorg01"}"""));
        var statement = KmsTestData.CopyStatementFor("*");
        statement["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["aws:PrincipalOrgID"] = "o-sandbox0001" } };
        var arn = (await Cli.CreateKeyAsync("--policy", KmsTestData.PolicyWith(SourceAccount, statement)))["Arn"].Text();

        var sameOrganization = await Cli.As(BackupAccount).JsonAsync("kms", "describe-key", "--key-id", arn);
        var otherOrganization = await Cli.As("121212121212").FailureAsync("kms", "describe-key", "--key-id", arn);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(arn, sameOrganization["KeyMetadata"]!["Arn"].Text());
        Assert.Equal("AccessDeniedException", otherOrganization.ErrorCode);
    }

    [Fact]
    public async Task Every_Organizations_response_has_only_the_members_of_the_AWS_model()
    {
        var model = JsonModel.Load("organizations", "2016-11-28");
        var raw = new RawAws(fixture.Sandbox.BaseUrl);

        var (status, body) = await raw.JsonAsync("organizations", "AWSOrganizationsV20161128.DescribeOrganization", "application/x-amz-json-1.1", []);
        var (outsideStatus, outside) = await raw.JsonAsync("organizations", "AWSOrganizationsV20161128.DescribeOrganization", "application/x-amz-json-1.1", [], account: "555555555555");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(model.Check("DescribeOrganization", body));
        Assert.Empty(fixture.Sandbox.Get<OrganizationsService>().Operations.Except(model.Operations));
        Assert.Equal(HttpStatusCode.BadRequest, outsideStatus);
        Assert.Equal("Your account is not a member of an organization.", outside!["Message"].Text());
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
}

/// <summary>A copy job between accounts of two different organizations, each with cross-account backup on.</summary>
public sealed class CopyAcrossOrganizationsTests(BackupFixture fixture) : IClassFixture<BackupFixture>
{
    [Fact]
    public async Task A_copy_to_an_account_of_another_organization_fails_even_with_cross_account_backup_on_in_both()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
        using var created = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"444444444444","id":"o-backuporg01"}"""));
        using var moved = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/" + BackupAccount, UriKind.Relative), Body("""{"organizationId":"o-backuporg01"}"""));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await EnableCrossAccountBackupAsync(fixture);
        await fixture.Aws.As("444444444444").JsonAsync("backup", "update-global-settings", "--global-settings", "isCrossAccountBackupEnabled=true");
        var key = (await fixture.Aws.CreateKeyAsync("--policy", KmsTestData.PolicyWith(SourceAccount, KmsTestData.CopyStatementFor($"arn:aws:iam::{BackupAccount}:root"))))["Arn"].Text();
        var cluster = await AvailableClusterAsync(fixture, "copy-across-organizations", key);
        var point = (await CompletedBackupAsync(fixture, cluster))["RecoveryPointArn"].Text();
        var vaultArn = await VaultAsync(fixture, BackupAccount, "other-organization", VaultPolicyFor(AccountPrincipal(SourceAccount)));

        var job = await CopyAsync(fixture, point, vaultArn);

        Assert.Equal("FAILED", job["State"].Text());
        Assert.Equal("Access denied: Copy job failed. Both source and destination account must be a member of the same organization", job["StatusMessage"].Text());
        Assert.Empty(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "other-organization"));
    }
}
