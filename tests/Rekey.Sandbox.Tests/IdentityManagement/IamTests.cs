using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Rekey.Sandbox.IdentityManagement;
using static Rekey.Sandbox.Tests.Backup.BackupTestData;

namespace Rekey.Sandbox.Tests.IdentityManagement;

/// <summary>IAM roles through the AWS CLI: GetRole, CreateRole, DeleteRole, and the sandbox API that seeds roles.</summary>
public sealed class IamTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    // The seeding test gets an account of its own: the other tests rely on the Backup account having no role.
    private const string SeededAccount = "555555555555";

    private SessionCli Cli => fixture.Aws;

    [Fact]
    public async Task CreateRole_makes_a_role_that_GetRole_returns_with_its_path_in_the_ARN_and_the_trust_policy_IAM_encodes()
    {
        var created = await Cli.JsonAsync(
            "iam", "create-role", "--role-name", "rekey-created", "--path", "/service-role/", "--assume-role-policy-document", BackupTrustPolicy,
            "--description", "made by a test", "--max-session-duration", "7200", "--tags", "Key=team,Value=db");
        var read = (await Cli.JsonAsync("iam", "get-role", "--role-name", "rekey-created"))["Role"]!;

        Assert.Equal(created["Role"]!["RoleId"].Text(), read["RoleId"].Text());
        Assert.Equal("rekey-created", read["RoleName"].Text());
        Assert.Equal("/service-role/", read["Path"].Text());
        Assert.Equal("arn:aws:iam::111111111111:role/service-role/rekey-created", read["Arn"].Text());
        Assert.Matches("^AROA[A-Z0-9]{17}$", read["RoleId"].Text());
        Assert.Equal("made by a test", read["Description"].Text());
        Assert.Equal(7200, read["MaxSessionDuration"]!.GetValue<int>());
        Assert.Equal("db", read["Tags"]![0]!["Value"].Text());

        // botocore URL-decodes and parses IAM's policy documents, so the CLI shows the document as given.
        Assert.Equal("backup.amazonaws.com", read["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"].Text());
        var createdAt = DateTimeOffset.Parse(read["CreateDate"].Text(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(createdAt, fixture.Sandbox.Clock.Now.AddMinutes(-1), fixture.Sandbox.Clock.Now);
    }

    [Fact]
    public async Task The_AWS_Backup_default_service_role_does_not_exist_until_someone_creates_it()
    {
        var missing = await Cli.As(BackupAccount).FailureAsync("iam", "get-role", "--role-name", "AWSBackupDefaultServiceRole");

        Assert.Equal("NoSuchEntity", missing.ErrorCode);
        Assert.Contains("The role with name AWSBackupDefaultServiceRole cannot be found.", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRole_of_an_unknown_role_is_NoSuchEntity_with_HTTP_404()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Sandbox.BaseUrl)
        {
            Content = new FormUrlEncodedContent([new("Action", "GetRole"), new("Version", "2010-05-08"), new("RoleName", "nobody")]),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=111111111111/20261128/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");

        using var response = await http.SendAsync(request);
        var error = XElement.Parse(await response.Content.ReadAsStringAsync()).Descendants().First(e => e.Name.LocalName == "Error");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NoSuchEntity", error.Elements().First(e => e.Name.LocalName == "Code").Value);
        Assert.Equal("The role with name nobody cannot be found.", error.Elements().First(e => e.Name.LocalName == "Message").Value);
    }

    [Fact]
    public async Task CreateRole_of_an_existing_name_in_any_case_is_EntityAlreadyExists_and_a_bad_trust_policy_is_MalformedPolicyDocument()
    {
        await Cli.JsonAsync("iam", "create-role", "--role-name", "rekey-twice", "--assume-role-policy-document", BackupTrustPolicy);

        var again = await Cli.FailureAsync("iam", "create-role", "--role-name", "rekey-twice", "--assume-role-policy-document", BackupTrustPolicy);
        var otherCase = await Cli.FailureAsync("iam", "create-role", "--role-name", "REKEY-TWICE", "--assume-role-policy-document", BackupTrustPolicy);
        var malformed = await Cli.FailureAsync("iam", "create-role", "--role-name", "rekey-malformed", "--assume-role-policy-document", "{\"Version\":");
        var badName = await Cli.FailureAsync("iam", "create-role", "--role-name", "rekey/slash", "--assume-role-policy-document", BackupTrustPolicy);

        Assert.Equal("EntityAlreadyExists", again.ErrorCode);
        Assert.Equal("EntityAlreadyExists", otherCase.ErrorCode);
        Assert.Equal("MalformedPolicyDocument", malformed.ErrorCode);
        Assert.Equal("ValidationError", badName.ErrorCode);
    }

    [Fact]
    public async Task DeleteRole_removes_the_role_and_a_second_delete_is_NoSuchEntity()
    {
        await Cli.JsonAsync("iam", "create-role", "--role-name", "rekey-deleted", "--assume-role-policy-document", BackupTrustPolicy);

        await Cli.JsonAsync("iam", "delete-role", "--role-name", "rekey-deleted");
        var read = await Cli.FailureAsync("iam", "get-role", "--role-name", "rekey-deleted");
        var again = await Cli.FailureAsync("iam", "delete-role", "--role-name", "rekey-deleted");

        Assert.Equal("NoSuchEntity", read.ErrorCode);
        Assert.Equal("NoSuchEntity", again.ErrorCode);
    }

    [Fact]
    public async Task Roles_belong_to_one_account_and_IAM_being_global_any_signing_region_sees_them()
    {
        await Cli.JsonAsync("iam", "create-role", "--role-name", "rekey-global", "--assume-role-policy-document", BackupTrustPolicy);

        var fromAnotherRegion = await Cli.InRegion("eu-west-1").JsonAsync("iam", "get-role", "--role-name", "rekey-global");
        var fromAnotherAccount = await Cli.As(BackupAccount).FailureAsync("iam", "get-role", "--role-name", "rekey-global");

        Assert.Equal("arn:aws:iam::111111111111:role/rekey-global", fromAnotherRegion["Role"]!["Arn"].Text());
        Assert.Equal("NoSuchEntity", fromAnotherAccount.ErrorCode);
    }

    [Fact]
    public async Task The_sandbox_API_seeds_a_role_that_IAM_then_returns_and_refuses_a_duplicate_or_a_bad_name()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

        using var seeded = await http.PostAsync(
            new Uri("/_sandbox/iam/roles", UriKind.Relative), Body("""{"account":"555555555555","roleName":"AWSBackupDefaultServiceRole","path":"/service-role/"}"""));
        using var duplicate = await http.PostAsync(
            new Uri("/_sandbox/iam/roles", UriKind.Relative), Body("""{"account":"555555555555","roleName":"awsbackupdefaultservicerole","path":"/service-role/"}"""));
        using var badName = await http.PostAsync(new Uri("/_sandbox/iam/roles", UriKind.Relative), Body("""{"account":"555555555555","roleName":"a b"}"""));
        var role = (await Cli.As(SeededAccount).JsonAsync("iam", "get-role", "--role-name", "AWSBackupDefaultServiceRole"))["Role"]!;
        var listed = JsonNode.Parse(await http.GetStringAsync(new Uri("/_sandbox/iam/roles?account=555555555555", UriKind.Relative)))!.AsArray();

        Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal(Role(SeededAccount), role["Arn"].Text());
        Assert.Equal(Role(SeededAccount), Assert.Single(listed)!["arn"].Text());
    }

    [Fact]
    public async Task Every_IAM_response_element_is_a_member_of_the_model_shape()
    {
        var model = BotocoreModel.Load("iam", "2010-05-08");
        var raw = new RawAws(fixture.Sandbox.BaseUrl);
        var errors = new List<string>();
        async Task Call(string action, params (string Name, string Value)[] parameters) =>
            errors.AddRange(model.Check(action, await raw.QueryAsync("iam", "2010-05-08", action, parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)))));

        await Call(
            "CreateRole", ("RoleName", "rekey-shape"), ("Path", "/service-role/"), ("AssumeRolePolicyDocument", BackupTrustPolicy),
            ("Description", "shape"), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "v"));
        await Call("GetRole", ("RoleName", "rekey-shape"));
        await Call("DeleteRole", ("RoleName", "rekey-shape"));

        Assert.Empty(errors);
        Assert.Empty(fixture.Sandbox.Get<IamService>().Operations.Except(model.Operations));
    }
}
