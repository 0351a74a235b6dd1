using System.Text;
using Rekey.Sandbox.Tests.Backup;

namespace Rekey.Sandbox.Tests.Organizations;

public sealed class OrganizationsIamIntegrationsStateFileTests : IDisposable
{
    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"rekey-sandbox-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_stateFile);

    [Fact]
    public async Task Organizations_memberships_backup_settings_roles_and_integrations_survive_a_restart_with_a_state_file()
    {
        var options = SandboxOptions.ForTests(clockSpeed: 1) with { StateFile = _stateFile };
        string integrationArn;
        await using (var first = await SandboxServer.StartAsync(options))
        await using (var session = new AwsCliSession())
        {
            var cli = new SessionCli(session, first.BaseUrl);
            using var http = new HttpClient { BaseAddress = first.BaseUrl };
            using var created = await http.PostAsync(new Uri("/_sandbox/organizations", UriKind.Relative), Body("""{"managementAccount":"444444444444","id":"o-keptorg0001"}"""));
            using var moved = await http.PutAsync(new Uri("/_sandbox/organizations/accounts/222222222222", UriKind.Relative), Body("""{"organizationId":"o-keptorg0001"}"""));
            await cli.As("444444444444").JsonAsync("backup", "update-global-settings", "--global-settings", "isCrossAccountBackupEnabled=true");
            using var seeded = await http.PostAsync(new Uri("/_sandbox/iam/roles", UriKind.Relative), Body("""{"account":"111111111111","roleName":"AWSBackupDefaultServiceRole","path":"/service-role/"}"""));
            var cluster = (await cli.JsonAsync(
                "rds", "create-db-cluster", "--db-cluster-identifier", "kept-source", "--engine", "aurora-postgresql",
                "--master-username", "postgres", "--master-user-password", "sandbox-password"))["DBCluster"]!["DBClusterArn"].Text();
            first.Clock.Advance(first.Runtime.Durations.ClusterCreate);
            integrationArn = (await cli.JsonAsync(
                "rds", "create-integration", "--source-arn", cluster, "--integration-name", "kept",
                "--target-arn", "arn:aws:redshift-serverless:us-east-1:111111111111:namespace/00000000-0000-4000-8000-000000000001"))["IntegrationArn"].Text();
        }

        await using var second = await SandboxServer.StartAsync(options);
        await using var secondSession = new AwsCliSession();
        var again = new SessionCli(secondSession, second.BaseUrl);

        var organization = await again.As(BackupTestData.BackupAccount).JsonAsync("organizations", "describe-organization");
        var settings = await again.As(BackupTestData.BackupAccount).JsonAsync("backup", "describe-global-settings");
        var role = await again.JsonAsync("iam", "get-role", "--role-name", "AWSBackupDefaultServiceRole");
        var integration = await again.JsonAsync("rds", "describe-integrations", "--integration-identifier", integrationArn);

        Assert.Equal("o-keptorg0001", organization["Organization"]!["Id"].Text());
        Assert.Equal("true", settings["GlobalSettings"]!["isCrossAccountBackupEnabled"].Text());
        Assert.Equal(BackupTestData.Role("111111111111"), role["Role"]!["Arn"].Text());
        Assert.Equal("kept", integration["Integrations"]![0]!["IntegrationName"].Text());
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
}
