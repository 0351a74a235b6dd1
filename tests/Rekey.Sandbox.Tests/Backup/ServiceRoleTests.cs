using System.Text.Json.Nodes;
using static Rekey.Sandbox.Tests.Backup.BackupTestData;

namespace Rekey.Sandbox.Tests.Backup;

/// <summary>AWS Backup uses the IAM role a request names only if the role exists in the caller's account.</summary>
public sealed class ServiceRoleTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private SessionCli Cli => fixture.Aws;

    [Fact]
    public async Task Without_the_service_role_a_selection_and_a_backup_job_are_refused_and_once_IAM_has_it_both_are_accepted()
    {
        var clusterArn = await AvailableClusterAsync(fixture, "role-missing", keyArn: null);
        var planId = await PlanAsync("role-missing");
        var selection = new JsonObject { ["SelectionName"] = "cluster", ["IamRoleArn"] = Role(SourceAccount), ["Resources"] = new JsonArray(clusterArn) }.ToJsonString();
        string[] StartJob() => ["backup", "start-backup-job", "--backup-vault-name", "Default", "--resource-arn", clusterArn, "--iam-role-arn", Role(SourceAccount)];

        var selectionRefused = await Cli.FailureAsync("backup", "create-backup-selection", "--backup-plan-id", planId, "--backup-selection", selection);
        var jobRefused = await Cli.FailureAsync(StartJob());
        var selectionsWhileRefused = await Cli.JsonAsync("backup", "list-backup-selections", "--backup-plan-id", planId);
        await CreateServiceRoleAsync(fixture);
        var selectionAccepted = await Cli.JsonAsync("backup", "create-backup-selection", "--backup-plan-id", planId, "--backup-selection", selection);
        var jobAccepted = await Cli.JsonAsync(StartJob());

        Assert.Equal("InvalidParameterValueException", selectionRefused.ErrorCode);
        Assert.Contains($"IAM Role {Role(SourceAccount)} is not authorized to call tag:GetResources", selectionRefused.Stderr, StringComparison.Ordinal);
        Assert.Equal("InvalidParameterValueException", jobRefused.ErrorCode);
        Assert.Contains(Role(SourceAccount), jobRefused.Stderr, StringComparison.Ordinal);
        Assert.Empty(selectionsWhileRefused["BackupSelectionsList"]!.AsArray());
        Assert.False(string.IsNullOrEmpty(selectionAccepted["SelectionId"].Text()));
        Assert.False(string.IsNullOrEmpty(jobAccepted["BackupJobId"].Text()));
    }

    [Fact]
    public async Task A_copy_job_naming_a_role_that_does_not_exist_is_refused_before_any_job_starts()
    {
        await Cli.JsonAsync("iam", "create-role", "--role-name", "rekey-copy-backup", "--assume-role-policy-document", BackupTrustPolicy);
        const string existingRole = "arn:aws:iam::111111111111:role/rekey-copy-backup";
        var clusterArn = await AvailableClusterAsync(fixture, "role-copy", keyArn: null);
        var started = await Cli.JsonAsync("backup", "start-backup-job", "--backup-vault-name", "Default", "--resource-arn", clusterArn, "--iam-role-arn", existingRole);
        fixture.Advance(TimeSpan.FromMinutes(6));
        await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "role-copy-target");

        var refused = await Cli.FailureAsync(
            "backup", "start-copy-job", "--recovery-point-arn", started["RecoveryPointArn"].Text(), "--source-backup-vault-name", "Default",
            "--destination-backup-vault-arn", VaultArn(SourceAccount, "role-copy-target"), "--iam-role-arn", "arn:aws:iam::111111111111:role/rekey-no-such-role");
        var jobs = await Cli.JsonAsync("backup", "list-copy-jobs", "--by-resource-arn", clusterArn);

        Assert.Equal("InvalidParameterValueException", refused.ErrorCode);
        Assert.Contains("rekey-no-such-role", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(jobs["CopyJobs"]!.AsArray());
    }

    [Fact]
    public async Task A_role_of_another_account_or_on_another_path_is_not_the_callers_role()
    {
        await Cli.As(BackupAccount).JsonAsync("iam", "create-role", "--role-name", "rekey-elsewhere", "--assume-role-policy-document", BackupTrustPolicy);
        await Cli.JsonAsync("iam", "create-role", "--role-name", "rekey-pathed", "--path", "/backup/", "--assume-role-policy-document", BackupTrustPolicy);
        var planId = await PlanAsync("role-elsewhere");
        string Selection(string role) => new JsonObject { ["SelectionName"] = "s", ["IamRoleArn"] = role, ["Resources"] = new JsonArray("*") }.ToJsonString();

        var otherAccount = await Cli.FailureAsync("backup", "create-backup-selection", "--backup-plan-id", planId, "--backup-selection", Selection($"arn:aws:iam::{BackupAccount}:role/rekey-elsewhere"));
        var wrongPath = await Cli.FailureAsync("backup", "create-backup-selection", "--backup-plan-id", planId, "--backup-selection", Selection("arn:aws:iam::111111111111:role/rekey-pathed"));
        var rightPath = await Cli.JsonAsync("backup", "create-backup-selection", "--backup-plan-id", planId, "--backup-selection", Selection("arn:aws:iam::111111111111:role/backup/rekey-pathed"));

        Assert.Equal("InvalidParameterValueException", otherAccount.ErrorCode);
        Assert.Equal("InvalidParameterValueException", wrongPath.ErrorCode);
        Assert.False(string.IsNullOrEmpty(rightPath["SelectionId"].Text()));
    }

    private async Task<string> PlanAsync(string name)
    {
        var plan = new JsonObject { ["BackupPlanName"] = name, ["Rules"] = new JsonArray(new JsonObject { ["RuleName"] = "daily", ["TargetBackupVaultName"] = "Default" }) };
        return (await Cli.JsonAsync("backup", "create-backup-plan", "--backup-plan", plan.ToJsonString()))["BackupPlanId"].Text();
    }
}
