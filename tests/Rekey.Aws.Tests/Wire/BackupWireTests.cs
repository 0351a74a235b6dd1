using Rekey.Aws.Backup;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Wire;

/// <summary>
/// AWS Backup operations through AmazonBackupClient against moto_server. moto serves CreateBackupVault,
/// DescribeBackupVault, CreateBackupPlan, GetBackupPlan, ListBackupPlans and TagResource; the others
/// are listed, with the reason, in <see cref="MotoGapsTests"/>.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class BackupWireTests(MotoServer moto)
{
    private readonly AwsClientFactory _factory = moto.Factory();

    [Fact]
    public async Task Vault_is_created_with_tags_and_described_back()
    {
        using var backup = _factory.CreateBackup(MotoServer.Region);
        var name = RdsWireTests.NewId("vault");
        var created = await backup.CreateBackupVaultAsync(new CreateBackupVaultRequest
        {
            BackupVaultName = name,
            BackupVaultTags = new Dictionary<string, string> { ["rekey:purpose"] = "cross-account copy" },
        });
        Assert.Equal(name, created.BackupVaultName);
        Assert.EndsWith(":backup-vault:" + name, created.BackupVaultArn, StringComparison.Ordinal);

        var described = await backup.DescribeBackupVaultAsync(new DescribeBackupVaultRequest { BackupVaultName = name });
        Assert.Equal(created.BackupVaultArn, described.BackupVaultArn);
        RdsWireTests.AssertAwsClock(described);

        await backup.TagResourceAsync(new TagResourceRequest
        {
            ResourceArn = created.BackupVaultArn,
            Tags = new Dictionary<string, string> { ["rekey:run"] = "run-1" },
        });
    }

    [Fact]
    public async Task Plan_with_a_cross_account_copy_rule_is_created_read_back_and_listed()
    {
        using var backup = _factory.CreateBackup(MotoServer.Region);
        var name = RdsWireTests.NewId("plan");
        var destination = "arn:aws:backup:us-east-1:222222222222:backup-vault:rekey-destination";
        var created = await backup.CreateBackupPlanAsync(new CreateBackupPlanRequest
        {
            BackupPlan = new BackupPlanInput
            {
                BackupPlanName = name,
                Rules =
                [
                    new BackupRuleInput
                    {
                        RuleName = "daily",
                        TargetBackupVaultName = "Default",
                        ScheduleExpression = "cron(0 5 ? * * *)",
                        StartWindowMinutes = 60,
                        CompletionWindowMinutes = 180,
                        Lifecycle = new Lifecycle { DeleteAfterDays = 35 },
                        CopyActions = [new CopyAction { DestinationBackupVaultArn = destination, Lifecycle = new Lifecycle { DeleteAfterDays = 35 } }],
                    },
                ],
            },
            BackupPlanTags = new Dictionary<string, string> { ["rekey:cluster"] = "orders" },
        });
        Assert.False(string.IsNullOrEmpty(created.BackupPlanId));

        var plan = await backup.GetBackupPlanAsync(new GetBackupPlanRequest { BackupPlanId = created.BackupPlanId });
        Assert.Equal(name, plan.BackupPlan!.BackupPlanName);
        var rule = Assert.Single(plan.BackupPlan.Rules!);
        Assert.Equal(destination, Assert.Single(rule.CopyActions!).DestinationBackupVaultArn);
        Assert.Equal(35, rule.Lifecycle!.DeleteAfterDays);

        var plans = await RdsWireTests.ToListAsync(backup.ListBackupPlansAllAsync(new ListBackupPlansRequest()));
        Assert.Contains(plans, p => p.BackupPlanId == created.BackupPlanId && p.BackupPlanName == name);
    }

    [Fact]
    public async Task Describing_a_missing_vault_fails_with_ResourceNotFoundException_carrying_aws_message()
    {
        using var backup = _factory.CreateBackup(MotoServer.Region);
        var name = RdsWireTests.NewId("absent");
        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(() => backup.DescribeBackupVaultAsync(new DescribeBackupVaultRequest { BackupVaultName = name }));
        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.IsAssignableFrom<AmazonBackupException>(error);
    }
}
