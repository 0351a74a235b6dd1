using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Tests.KeyManagementService;
using static Rekey.Sandbox.Tests.Backup.BackupTestData;

namespace Rekey.Sandbox.Tests.Backup;

/// <summary>AWS Backup through the AWS CLI: vaults, policies, plans, selections, settings, backup jobs, tags.</summary>
public sealed class BackupTests(BackupFixture fixture) : IClassFixture<BackupFixture>
{
    private SessionCli Cli => fixture.Aws;

    [Fact]
    public async Task The_Default_vault_exists_in_every_account_encrypted_with_the_AWS_managed_backup_key()
    {
        var vault = await Cli.As(BackupAccount).JsonAsync("backup", "describe-backup-vault", "--backup-vault-name", "Default");
        var key = await Cli.As(BackupAccount).DescribeKeyAsync(vault["EncryptionKeyArn"].Text());
        var listed = await Cli.As(BackupAccount).JsonAsync("backup", "list-backup-vaults");

        Assert.Equal(VaultArn(BackupAccount, "Default"), vault["BackupVaultArn"].Text());
        Assert.Equal("AWS", key["KeyManager"].Text());
        Assert.Contains(listed["BackupVaultList"]!.AsArray(), v => v!["BackupVaultName"].Text() == "Default");
    }

    [Fact]
    public async Task CreateBackupVault_keeps_its_customer_key_and_refuses_a_second_vault_of_the_same_name_or_a_missing_key()
    {
        var key = (await Cli.CreateKeyAsync())["Arn"].Text();

        var created = await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "rekey-vault", "--encryption-key-arn", key, "--backup-vault-tags", "team=db");
        var described = await Cli.JsonAsync("backup", "describe-backup-vault", "--backup-vault-name", "rekey-vault");
        var again = await Cli.FailureAsync("backup", "create-backup-vault", "--backup-vault-name", "rekey-vault");
        var badKey = await Cli.FailureAsync("backup", "create-backup-vault", "--backup-vault-name", "rekey-vault-2", "--encryption-key-arn", "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000000");
        var missing = await Cli.FailureAsync("backup", "describe-backup-vault", "--backup-vault-name", "nothing-here");

        Assert.Equal(VaultArn(SourceAccount, "rekey-vault"), created["BackupVaultArn"].Text());
        Assert.Equal(key, described["EncryptionKeyArn"].Text());
        Assert.Equal("CUSTOMER_MANAGED_KMS_KEY", described["EncryptionKeyType"].Text());
        Assert.Equal(0, described["NumberOfRecoveryPoints"]!.GetValue<long>());
        Assert.Equal("AlreadyExistsException", again.ErrorCode);
        Assert.Equal("InvalidParameterValueException", badKey.ErrorCode);
        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
    }

    [Fact]
    public async Task A_vault_access_policy_is_stored_as_given_and_after_deletion_reading_it_is_ResourceNotFound()
    {
        await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "policy-vault");
        var policy = VaultPolicyFor(AccountPrincipal(SourceAccount));

        await Cli.JsonAsync("backup", "put-backup-vault-access-policy", "--backup-vault-name", "policy-vault", "--policy", policy);
        var read = await Cli.JsonAsync("backup", "get-backup-vault-access-policy", "--backup-vault-name", "policy-vault");
        await Cli.JsonAsync("backup", "delete-backup-vault-access-policy", "--backup-vault-name", "policy-vault");
        var afterDelete = await Cli.FailureAsync("backup", "get-backup-vault-access-policy", "--backup-vault-name", "policy-vault");
        var invalid = await Cli.FailureAsync("backup", "put-backup-vault-access-policy", "--backup-vault-name", "policy-vault", "--policy", "{\"Statement\":[]");

        Assert.Equal(policy, read["Policy"].Text());
        Assert.Equal(VaultArn(SourceAccount, "policy-vault"), read["BackupVaultArn"].Text());
        Assert.Equal("ResourceNotFoundException", afterDelete.ErrorCode);
        Assert.Equal("InvalidParameterValueException", invalid.ErrorCode);
    }

    [Fact]
    public async Task A_plan_keeps_its_copy_rule_and_lifecycle_and_an_update_makes_a_new_version_with_the_same_rule_id()
    {
        await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "plan-vault");
        var destination = VaultArn(BackupAccount, "rekey-backup");
        JsonObject Plan(int retention) => new()
        {
            ["BackupPlanName"] = "rekey-plan",
            ["Rules"] = new JsonArray(new JsonObject
            {
                ["RuleName"] = "daily",
                ["TargetBackupVaultName"] = "plan-vault",
                ["ScheduleExpression"] = "cron(0 3 * * ? *)",
                ["Lifecycle"] = new JsonObject { ["DeleteAfterDays"] = retention },
                ["CopyActions"] = new JsonArray(new JsonObject
                {
                    ["DestinationBackupVaultArn"] = destination,
                    ["Lifecycle"] = new JsonObject { ["DeleteAfterDays"] = 90 },
                }),
            }),
        };

        var created = await Cli.JsonAsync("backup", "create-backup-plan", "--backup-plan", Plan(35).ToJsonString());
        var planId = created["BackupPlanId"].Text();
        var first = await Cli.JsonAsync("backup", "get-backup-plan", "--backup-plan-id", planId);
        var updated = await Cli.JsonAsync("backup", "update-backup-plan", "--backup-plan-id", planId, "--backup-plan", Plan(14).ToJsonString());
        var second = await Cli.JsonAsync("backup", "get-backup-plan", "--backup-plan-id", planId);
        var listed = await Cli.JsonAsync("backup", "list-backup-plans");

        var rule = first["BackupPlan"]!["Rules"]![0]!;
        Assert.Equal($"arn:aws:backup:us-east-1:{SourceAccount}:backup-plan:{planId}", created["BackupPlanArn"].Text());
        Assert.Equal(destination, rule["CopyActions"]![0]!["DestinationBackupVaultArn"].Text());
        Assert.Equal(90, rule["CopyActions"]![0]!["Lifecycle"]!["DeleteAfterDays"]!.GetValue<long>());
        Assert.Equal(35, rule["Lifecycle"]!["DeleteAfterDays"]!.GetValue<long>());
        Assert.Equal("cron(0 3 * * ? *)", rule["ScheduleExpression"].Text());
        Assert.Equal(480, rule["StartWindowMinutes"]!.GetValue<long>());
        Assert.NotEqual(created["VersionId"].Text(), updated["VersionId"].Text());
        Assert.Equal(updated["VersionId"].Text(), second["VersionId"].Text());
        Assert.Equal(rule["RuleId"].Text(), second["BackupPlan"]!["Rules"]![0]!["RuleId"].Text());
        Assert.Equal(14, second["BackupPlan"]!["Rules"]![0]!["Lifecycle"]!["DeleteAfterDays"]!.GetValue<long>());
        Assert.Contains(listed["BackupPlansList"]!.AsArray(), p => p!["BackupPlanId"].Text() == planId && p["BackupPlanName"].Text() == "rekey-plan");
    }

    [Fact]
    public async Task Plans_with_an_unknown_vault_or_a_lifecycle_shorter_than_90_days_of_cold_storage_are_refused()
    {
        var unknownVault = new JsonObject
        {
            ["BackupPlanName"] = "bad-vault",
            ["Rules"] = new JsonArray(new JsonObject { ["RuleName"] = "r", ["TargetBackupVaultName"] = "no-such-vault" }),
        };
        var badLifecycle = new JsonObject
        {
            ["BackupPlanName"] = "bad-lifecycle",
            ["Rules"] = new JsonArray(new JsonObject
            {
                ["RuleName"] = "r",
                ["TargetBackupVaultName"] = "Default",
                ["Lifecycle"] = new JsonObject { ["MoveToColdStorageAfterDays"] = 30, ["DeleteAfterDays"] = 60 },
            }),
        };

        var vaultFailure = await Cli.FailureAsync("backup", "create-backup-plan", "--backup-plan", unknownVault.ToJsonString());
        var lifecycleFailure = await Cli.FailureAsync("backup", "create-backup-plan", "--backup-plan", badLifecycle.ToJsonString());

        Assert.Equal("InvalidParameterValueException", vaultFailure.ErrorCode);
        Assert.Equal("InvalidParameterValueException", lifecycleFailure.ErrorCode);
    }

    [Fact]
    public async Task A_selection_of_a_cluster_by_ARN_is_stored_under_its_plan_and_listed()
    {
        var plan = new JsonObject
        {
            ["BackupPlanName"] = "selection-plan",
            ["Rules"] = new JsonArray(new JsonObject { ["RuleName"] = "daily", ["TargetBackupVaultName"] = "Default" }),
        };
        var planId = (await Cli.JsonAsync("backup", "create-backup-plan", "--backup-plan", plan.ToJsonString()))["BackupPlanId"].Text();
        var clusterArn = $"arn:aws:rds:us-east-1:{SourceAccount}:cluster:orders";
        var selection = new JsonObject { ["SelectionName"] = "orders", ["IamRoleArn"] = Role(SourceAccount), ["Resources"] = new JsonArray(clusterArn) };

        var created = await Cli.JsonAsync("backup", "create-backup-selection", "--backup-plan-id", planId, "--backup-selection", selection.ToJsonString());
        var read = await Cli.JsonAsync("backup", "get-backup-selection", "--backup-plan-id", planId, "--selection-id", created["SelectionId"].Text());
        var listed = await Cli.JsonAsync("backup", "list-backup-selections", "--backup-plan-id", planId);
        var unknownPlan = await Cli.FailureAsync("backup", "list-backup-selections", "--backup-plan-id", "00000000-0000-0000-0000-000000000000");

        Assert.Equal(planId, created["BackupPlanId"].Text());
        Assert.Equal(clusterArn, read["BackupSelection"]!["Resources"]![0].Text());
        Assert.Equal(Role(SourceAccount), read["BackupSelection"]!["IamRoleArn"].Text());
        var item = Assert.Single(listed["BackupSelectionsList"]!.AsArray())!;
        Assert.Equal("orders", item["SelectionName"].Text());
        Assert.Equal("ResourceNotFoundException", unknownPlan.ErrorCode);
    }

    [Fact]
    public async Task Global_settings_are_read_by_members_refused_outside_the_organization_and_changed_only_by_the_management_account()
    {
        var before = await Cli.JsonAsync("backup", "describe-global-settings");
        var outsider = await Cli.As(OutsideAccount).FailureAsync("backup", "describe-global-settings");
        var byMember = await Cli.FailureAsync("backup", "update-global-settings", "--global-settings", "isCrossAccountBackupEnabled=true");
        await EnableCrossAccountBackupAsync(fixture);
        var afterInBackupAccount = await Cli.As(BackupAccount).JsonAsync("backup", "describe-global-settings");

        Assert.Equal("false", before["GlobalSettings"]!["isCrossAccountBackupEnabled"].Text());
        Assert.Equal("ERROR_9601", outsider.ErrorCode);
        Assert.Contains("Your account is not a member of an organization.", outsider.Stderr, StringComparison.Ordinal);
        Assert.Equal("InvalidRequestException", byMember.ErrorCode);
        Assert.Contains(ManagementAccount, byMember.Stderr, StringComparison.Ordinal);
        Assert.Equal("true", afterInBackupAccount["GlobalSettings"]!["isCrossAccountBackupEnabled"].Text());
        Assert.InRange(afterInBackupAccount["LastUpdateTime"]!.GetValue<double>(), fixture.Sandbox.Clock.Now.ToUnixTimeSeconds() - 60, fixture.Sandbox.Clock.Now.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public async Task A_backup_job_of_an_Aurora_cluster_runs_on_the_sandbox_clock_and_its_recovery_point_keeps_the_cluster_key()
    {
        var clusterKey = (await Cli.CreateKeyAsync())["Arn"].Text();
        var vaultKey = (await Cli.CreateKeyAsync())["Arn"].Text();
        await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "job-vault", "--encryption-key-arn", vaultKey);
        var clusterArn = await AvailableClusterAsync(fixture, "backup-job-cluster", clusterKey);

        var started = await Cli.JsonAsync("backup", "start-backup-job", "--backup-vault-name", "job-vault", "--resource-arn", clusterArn, "--iam-role-arn", Role(SourceAccount));
        var running = await Cli.JsonAsync("backup", "describe-backup-job", "--backup-job-id", started["BackupJobId"].Text());
        fixture.Advance(TimeSpan.FromMinutes(6));
        var done = await Cli.JsonAsync("backup", "describe-backup-job", "--backup-job-id", started["BackupJobId"].Text());
        var points = await RecoveryPointsAsync(Cli, "job-vault");
        var notACluster = await Cli.FailureAsync("backup", "start-backup-job", "--backup-vault-name", "job-vault", "--resource-arn", "arn:aws:rds:us-east-1:111111111111:cluster:nothing", "--iam-role-arn", Role(SourceAccount));

        Assert.Equal("CREATED", running["State"].Text());
        Assert.Equal("COMPLETED", done["State"].Text());
        Assert.Equal(clusterKey, done["EncryptionKeyArn"].Text());
        Assert.Equal("Aurora", done["ResourceType"].Text());
        Assert.True(done["CompletionDate"]!.GetValue<double>() > done["CreationDate"]!.GetValue<double>());
        var point = Assert.Single(points)!;
        Assert.Equal(started["RecoveryPointArn"].Text(), point["RecoveryPointArn"].Text());
        Assert.Equal(clusterKey, point["EncryptionKeyArn"].Text());
        Assert.Equal(clusterArn, point["ResourceArn"].Text());
        Assert.Equal("ResourceNotFoundException", notACluster.ErrorCode);
    }

    [Fact]
    public async Task A_backup_job_of_a_cluster_on_aws_rds_makes_a_recovery_point_on_aws_rds()
    {
        var clusterArn = await AvailableClusterAsync(fixture, "backup-job-aws-rds", keyArn: null);
        var managedKey = (await Cli.DescribeKeyAsync("alias/aws/rds"))["Arn"].Text();

        var job = await CompletedBackupAsync(fixture, clusterArn);

        Assert.Equal("COMPLETED", job["State"].Text());
        Assert.Equal(managedKey, job["EncryptionKeyArn"].Text());
    }

    [Fact]
    public async Task Tags_on_vaults_and_plans_are_added_and_listed()
    {
        var vaultArn = (await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "tag-vault"))["BackupVaultArn"].Text();

        await Cli.JsonAsync("backup", "tag-resource", "--resource-arn", vaultArn, "--tags", "rekey:role=backup,team=db");
        var tags = await Cli.JsonAsync("backup", "list-tags", "--resource-arn", vaultArn);
        var unknown = await Cli.FailureAsync("backup", "tag-resource", "--resource-arn", VaultArn(SourceAccount, "no-vault"), "--tags", "a=b");

        Assert.Equal("backup", tags["Tags"]!["rekey:role"].Text());
        Assert.Equal("db", tags["Tags"]!["team"].Text());
        Assert.Equal("ResourceNotFoundException", unknown.ErrorCode);
    }

    [Fact]
    public async Task Injected_faults_make_a_backup_job_end_FAILED_or_never_finish()
    {
        var clusterArn = await AvailableClusterAsync(fixture, "backup-job-faults", keyArn: null);
        await Cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "fault-vault");
        string[] Start() => ["backup", "start-backup-job", "--backup-vault-name", "fault-vault", "--resource-arn", clusterArn, "--iam-role-arn", Role(SourceAccount)];

        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.FailAsync, Service = "backup", Operation = "StartBackupJob" });
        var failing = await Cli.JsonAsync(Start());
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HangAsync, Service = "backup", Operation = "StartBackupJob" });
        var hanging = await Cli.JsonAsync(Start());
        fixture.Advance(TimeSpan.FromHours(2));
        var failed = await Cli.JsonAsync("backup", "describe-backup-job", "--backup-job-id", failing["BackupJobId"].Text());
        var hung = await Cli.JsonAsync("backup", "describe-backup-job", "--backup-job-id", hanging["BackupJobId"].Text());
        using var http = new HttpClient();
        var jobs = JsonNode.Parse(await http.GetStringAsync(new Uri(fixture.Sandbox.BaseUrl, "_sandbox/backup/jobs")))!;

        Assert.Equal("FAILED", failed["State"].Text());
        Assert.False(string.IsNullOrEmpty(failed["StatusMessage"].Text()));
        Assert.Equal("RUNNING", hung["State"].Text());
        Assert.Equal("FAILED", jobs["backupJobs"]!.AsArray().Single(j => j!["id"].Text() == failing["BackupJobId"].Text())!["state"].Text());
        Assert.DoesNotContain(await RecoveryPointsAsync(Cli, "fault-vault"), p => p!["RecoveryPointArn"].Text() == failing["RecoveryPointArn"].Text());
    }

    [Fact]
    public async Task A_repeated_IdempotencyToken_returns_the_job_already_started_instead_of_a_second_one()
    {
        var clusterArn = await AvailableClusterAsync(fixture, "backup-job-idempotent", keyArn: null);
        string[] Start() =>
        [
            "backup", "start-backup-job", "--backup-vault-name", "Default", "--resource-arn", clusterArn,
            "--iam-role-arn", Role(SourceAccount), "--idempotency-token", "rekey-verify-run-1",
        ];

        var first = await Cli.JsonAsync(Start());
        var second = await Cli.JsonAsync(Start());

        Assert.Equal(first["BackupJobId"].Text(), second["BackupJobId"].Text());
        Assert.Equal(first["RecoveryPointArn"].Text(), second["RecoveryPointArn"].Text());
    }
}
