using System.Net;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Backup;
using Rekey.Sandbox.IdentityManagement;

namespace Rekey.Sandbox.Tests.Backup;

public sealed class BackupModelConformanceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly JsonModel Model = JsonModel.Load("backup", "2018-11-15");

    [Fact]
    public void Every_Backup_operation_the_sandbox_serves_is_an_operation_of_the_AWS_model()
    {
        Assert.Empty(fixture.Sandbox.Get<BackupService>().Operations.Except(Model.Operations));
    }

    [Fact]
    public async Task Every_Backup_response_has_only_the_members_types_and_enum_values_of_the_AWS_model()
    {
        var raw = new RawAws(fixture.Sandbox.BaseUrl);
        var errors = new List<string>();
        async Task<JsonNode?> Call(string operation, string path, JsonObject? body = null, string account = "111111111111")
        {
            var method = new HttpMethod(Model.Http(operation).Method);
            var (status, response) = await raw.RestAsync(method, path, body, account);
            Assert.True(status == HttpStatusCode.OK, $"{operation}: {status} {response?.ToJsonString()}");
            errors.AddRange(Model.Check(operation, response));
            return response;
        }

        const string role = "arn:aws:iam::111111111111:role/backup";
        fixture.Sandbox.Runtime.Change(() => fixture.Sandbox.Get<IamRoles>().Add("111111111111", "backup", "/", BackupTestData.BackupTrustPolicy));
        await fixture.Query.CreateClusterAsync("conformance-cluster", encrypted: true);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        var vaultArn = (await Call("CreateBackupVault", "/backup-vaults/conformance", new JsonObject { ["BackupVaultTags"] = new JsonObject { ["a"] = "b" } }))!["BackupVaultArn"]!.GetValue<string>();
        var copyVaultArn = (await Call("CreateBackupVault", "/backup-vaults/conformance-copy", new JsonObject()))!["BackupVaultArn"]!.GetValue<string>();
        await Call("DescribeBackupVault", "/backup-vaults/conformance");
        await Call("ListBackupVaults", "/backup-vaults/");
        await Call("PutBackupVaultAccessPolicy", "/backup-vaults/conformance/access-policy", new JsonObject
        {
            ["Policy"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"backup:CopyIntoBackupVault","Resource":"*"}]}""",
        });
        await Call("GetBackupVaultAccessPolicy", "/backup-vaults/conformance/access-policy");
        await Call("DeleteBackupVaultAccessPolicy", "/backup-vaults/conformance/access-policy");
        var plan = new JsonObject
        {
            ["BackupPlanName"] = "conformance",
            ["Rules"] = new JsonArray(new JsonObject
            {
                ["RuleName"] = "daily",
                ["TargetBackupVaultName"] = "conformance",
                ["Lifecycle"] = new JsonObject { ["DeleteAfterDays"] = 35 },
                ["CopyActions"] = new JsonArray(new JsonObject { ["DestinationBackupVaultArn"] = copyVaultArn }),
            }),
        };
        var planId = (await Call("CreateBackupPlan", "/backup/plans/", new JsonObject { ["BackupPlan"] = plan.DeepClone(), ["CreatorRequestId"] = "conformance" }))!["BackupPlanId"]!.GetValue<string>();
        await Call("UpdateBackupPlan", $"/backup/plans/{planId}", new JsonObject { ["BackupPlan"] = plan.DeepClone() });
        await Call("GetBackupPlan", $"/backup/plans/{planId}/");
        await Call("ListBackupPlans", "/backup/plans/");
        var selection = new JsonObject { ["SelectionName"] = "cluster", ["IamRoleArn"] = role, ["Resources"] = new JsonArray("arn:aws:rds:us-east-1:111111111111:cluster:conformance-cluster") };
        var selectionId = (await Call("CreateBackupSelection", $"/backup/plans/{planId}/selections/", new JsonObject { ["BackupSelection"] = selection }))!["SelectionId"]!.GetValue<string>();
        await Call("GetBackupSelection", $"/backup/plans/{planId}/selections/{selectionId}");
        await Call("ListBackupSelections", $"/backup/plans/{planId}/selections/");
        await Call("UpdateGlobalSettings", "/global-settings", new JsonObject { ["GlobalSettings"] = new JsonObject { ["isCrossAccountBackupEnabled"] = "true" } }, account: "999999999999");
        await Call("DescribeGlobalSettings", "/global-settings");
        var job = await Call("StartBackupJob", "/backup-jobs", new JsonObject
        {
            ["BackupVaultName"] = "conformance",
            ["ResourceArn"] = "arn:aws:rds:us-east-1:111111111111:cluster:conformance-cluster",
            ["IamRoleArn"] = role,
            ["Lifecycle"] = new JsonObject { ["DeleteAfterDays"] = 35 },
        });
        fixture.Advance(TimeSpan.FromMinutes(6));
        await Call("DescribeBackupJob", $"/backup-jobs/{job!["BackupJobId"]!.GetValue<string>()}");
        await Call("ListRecoveryPointsByBackupVault", "/backup-vaults/conformance/recovery-points/");
        var copy = await Call("StartCopyJob", "/copy-jobs", new JsonObject
        {
            ["RecoveryPointArn"] = job["RecoveryPointArn"]!.GetValue<string>(),
            ["SourceBackupVaultName"] = "conformance",
            ["DestinationBackupVaultArn"] = copyVaultArn,
            ["IamRoleArn"] = role,
        });
        fixture.Advance(TimeSpan.FromMinutes(6));
        await Call("DescribeCopyJob", $"/copy-jobs/{copy!["CopyJobId"]!.GetValue<string>()}");
        await Call("ListCopyJobs", "/copy-jobs/");
        await Call("TagResource", $"/tags/{Uri.EscapeDataString(vaultArn)}", new JsonObject { ["Tags"] = new JsonObject { ["c"] = "d" } });
        await Call("ListTags", $"/tags/{Uri.EscapeDataString(vaultArn)}/");

        Assert.Empty(errors);
    }
}
