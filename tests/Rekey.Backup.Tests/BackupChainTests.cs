using System.Text.Json.Nodes;
using Rekey.Aws.Backup.Model;
using Rekey.Sandbox.SNS;

namespace Rekey.Backup.Tests;

public sealed class BackupChainTests
{
    [Fact]
    public async Task Backup_target_sets_up_the_copy_and_proves_it_with_a_recovery_point_in_the_backup_account()
    {
        await using var world = await BackupWorld.StartAsync();

        var run = await world.RunAsync("Backup");

        Assert.True(run.ExitCode == 0, run.Output);
        var copies = await world.CopiesInBackupVaultAsync();
        var copy = Assert.Single(copies);
        Assert.Equal(world.ClusterArn, copy.ResourceArn);
        Assert.Equal("COMPLETED", copy.Status);
        Assert.StartsWith($"arn:aws:kms:us-east-1:{BackupWorld.BackupAccount}:key/", copy.EncryptionKeyArn, StringComparison.Ordinal);

        var facts = run.Report(BackupWorld.Cluster)["facts"]!.AsObject();
        Assert.Equal(copy.RecoveryPointArn, (string?)facts["backup-copy-recovery-point-arn"]);
        Assert.False(string.IsNullOrEmpty((string?)facts["backup-job-id"]));
        Assert.False(string.IsNullOrEmpty((string?)facts["copy-job-id"]));
        Assert.False(string.IsNullOrEmpty((string?)facts["recovery-point-arn"]));
        var times = run.Report(BackupWorld.Cluster)["awsTimes"]!.AsObject();
        Assert.True(times.ContainsKey("copy-job-completed"), times.ToJsonString());
    }

    [Fact]
    public async Task VerifyBackup_is_announced_on_SNS_with_its_job_ids_times_and_recovery_point_ARNs()
    {
        await using var world = await BackupWorld.StartAsync();
        string topicArn;
        using (var sns = world.As(BackupWorld.SourceAccount).CreateSns(BackupWorld.Region))
        {
            topicArn = (await sns.CreateTopicAsync(new Rekey.Aws.SNS.Model.CreateTopicRequest { Name = "rekey-backup" })).TopicArn!;
        }

        var run = await world.RunAsync("Backup", $"--sns-topic-arn={topicArn}");

        Assert.True(run.ExitCode == 0, run.Output);
        var copy = Assert.Single(await world.CopiesInBackupVaultAsync());
        var verified = world.Sandbox.Get<SnsState>().MessagesOf(topicArn)
            .Single(m => m.MessageAttributes["step"].StringValue == "VerifyBackup" && m.MessageAttributes["status"].StringValue == "succeeded");
        var body = JsonNode.Parse(verified.Message)!.AsObject();
        var facts = body["facts"]!.AsObject();
        Assert.Equal(copy.RecoveryPointArn, (string?)facts["backup-copy-recovery-point-arn"]);
        foreach (var name in new[] { "backup-job-id", "copy-job-id", "recovery-point-arn" })
        {
            Assert.False(string.IsNullOrEmpty((string?)facts[name]), $"{name} missing from {verified.Message}");
        }

        var times = body["times"]!.AsObject();
        foreach (var name in new[] { "backup-job-started", "backup-job-completed", "copy-job-started", "copy-job-completed" })
        {
            Assert.True(times.ContainsKey(name), $"{name} missing from {verified.Message}");
        }

        Assert.Contains(copy.RecoveryPointArn!, (string?)body["details"], StringComparison.Ordinal);

        // Each step carries only what it established: the backup vault's ARN is ConfigureBackup's, not VerifyBackup's.
        Assert.False(facts.ContainsKey("backup-vault-arn"), verified.Message);
    }

    [Fact]
    public async Task Plan_rule_copies_to_the_backup_vault_with_its_own_retention_and_selects_the_cluster_by_arn()
    {
        await using var world = await BackupWorld.StartAsync();

        var run = await world.RunAsync("ConfigureBackup", "--backup-retention-days=14", "--copy-retention-days=400", "--backup-schedule=cron(0 3 ? * * *)");

        Assert.True(run.ExitCode == 0, run.Output);
        using var backup = world.Aws.CreateBackup(BackupWorld.Region);
        var plan = Assert.Single((await backup.ListBackupPlansAsync(new ListBackupPlansRequest())).BackupPlansList!);
        Assert.Equal($"rekey-{BackupWorld.Cluster}", plan.BackupPlanName);
        var rule = Assert.Single((await backup.GetBackupPlanAsync(new GetBackupPlanRequest { BackupPlanId = plan.BackupPlanId })).BackupPlan!.Rules!);
        Assert.Equal("cron(0 3 ? * * *)", rule.ScheduleExpression);
        Assert.Equal(14, rule.Lifecycle!.DeleteAfterDays);
        var copyAction = Assert.Single(rule.CopyActions!);
        Assert.Equal(world.BackupVaultArn, copyAction.DestinationBackupVaultArn);
        Assert.Equal(400, copyAction.Lifecycle!.DeleteAfterDays);
        var listed = Assert.Single((await backup.ListBackupSelectionsAsync(new ListBackupSelectionsRequest { BackupPlanId = plan.BackupPlanId })).BackupSelectionsList!);
        var selection = await backup.GetBackupSelectionAsync(new GetBackupSelectionRequest { BackupPlanId = plan.BackupPlanId, SelectionId = listed.SelectionId });
        Assert.Equal([world.ClusterArn], selection.BackupSelection!.Resources);
        Assert.Equal($"arn:aws:iam::{BackupWorld.SourceAccount}:role/service-role/AWSBackupDefaultServiceRole", selection.BackupSelection.IamRoleArn);
    }

    [Fact]
    public async Task A_second_run_finds_everything_by_name_and_changes_nothing()
    {
        await using var world = await BackupWorld.StartAsync();
        Assert.Equal(0, (await world.RunAsync("Backup")).ExitCode);
        world.Sandbox.Calls.Clear();

        var again = await world.RunAsync("Backup");

        Assert.True(again.ExitCode == 0, again.Output);

        // The verification jobs carry the run's idempotency tokens, so the same run id gets its own jobs back.
        Assert.All(world.ChangingCalls(), c => Assert.Contains(c.Operation, new[] { "StartBackupJob", "StartCopyJob" }));
        Assert.Single(await world.CopiesInBackupVaultAsync());
    }

    [Fact]
    public async Task A_changed_retention_updates_rekeys_rule_and_keeps_the_plans_other_rules()
    {
        await using var world = await BackupWorld.StartAsync();
        Assert.Equal(0, (await world.RunAsync("ConfigureBackup")).ExitCode);
        using var backup = world.Aws.CreateBackup(BackupWorld.Region);
        var planId = (await backup.ListBackupPlansAsync(new ListBackupPlansRequest())).BackupPlansList![0].BackupPlanId;
        var current = (await backup.GetBackupPlanAsync(new GetBackupPlanRequest { BackupPlanId = planId })).BackupPlan!;
        var operatorsRule = new BackupRuleInput { RuleName = "weekly-by-the-dba", TargetBackupVaultName = BackupWorld.Vault, ScheduleExpression = "cron(0 1 ? * SUN *)" };
        await backup.UpdateBackupPlanAsync(new UpdateBackupPlanRequest
        {
            BackupPlanId = planId,
            BackupPlan = new BackupPlanInput
            {
                BackupPlanName = current.BackupPlanName,
                Rules = [.. current.Rules!.Select(r => new BackupRuleInput { RuleName = r.RuleName, TargetBackupVaultName = r.TargetBackupVaultName, ScheduleExpression = r.ScheduleExpression, Lifecycle = r.Lifecycle, CopyActions = r.CopyActions }), operatorsRule],
            },
        });

        var run = await world.RunAsync("ConfigureBackup", "--copy-retention-days=730");

        Assert.True(run.ExitCode == 0, run.Output);
        var rules = (await backup.GetBackupPlanAsync(new GetBackupPlanRequest { BackupPlanId = planId })).BackupPlan!.Rules!;
        Assert.Equal(2, rules.Count);
        Assert.Contains(rules, r => r.RuleName == "weekly-by-the-dba" && r.ScheduleExpression == "cron(0 1 ? * SUN *)");
        Assert.Equal(730, rules.Single(r => r.RuleName == BackupSetup.RuleName).CopyActions![0].Lifecycle!.DeleteAfterDays);
        Assert.Single((await backup.ListBackupPlansAsync(new ListBackupPlansRequest())).BackupPlansList!);
    }

    [Fact]
    public async Task A_vault_policy_with_foreign_statements_keeps_them_and_gains_the_source_account()
    {
        await using var world = await BackupWorld.StartAsync();
        const string foreign = """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"KeepDeletesOut","Effect":"Deny","Principal":"*","Action":"backup:DeleteRecoveryPoint","Resource":"*"},
              {"Sid":"AuditorsRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"backup:DescribeBackupVault","Resource":"*"}]}
            """;
        using (var backup = world.As(BackupWorld.BackupAccount).CreateBackup(BackupWorld.Region))
        {
            await backup.CreateBackupVaultAsync(new CreateBackupVaultRequest { BackupVaultName = BackupWorld.Vault });
            await backup.PutBackupVaultAccessPolicyAsync(new PutBackupVaultAccessPolicyRequest { BackupVaultName = BackupWorld.Vault, Policy = foreign });
        }

        var run = await world.RunAsync("Backup");

        Assert.True(run.ExitCode == 0, run.Output);
        using var reader = world.As(BackupWorld.BackupAccount).CreateBackup(BackupWorld.Region);
        var policy = JsonNode.Parse((await reader.GetBackupVaultAccessPolicyAsync(new GetBackupVaultAccessPolicyRequest { BackupVaultName = BackupWorld.Vault })).Policy!)!;
        var sids = policy["Statement"]!.AsArray().Select(s => (string?)s!["Sid"]).ToList();
        Assert.Equal(["KeepDeletesOut", "AuditorsRead", VaultPolicies.SidFor(BackupWorld.SourceAccount)], sids);
        Assert.Single(await world.CopiesInBackupVaultAsync());
    }
}
