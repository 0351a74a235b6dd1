using Rekey.Aws.Backup.Model;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox.Core;

namespace Rekey.Backup.Tests;

/// <summary>Each failure the sandbox models is named, with what to change, before anything is changed.</summary>
public sealed class BackupFailureTests
{
    [Fact]
    public async Task A_cluster_on_aws_rds_is_refused_with_the_way_to_a_customer_key()
    {
        await using var world = await BackupWorld.StartAsync(ClusterKey.AwsManaged);

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(world, run, "encrypted with the AWS managed key aws/rds", "--target=Cutover");
    }

    [Fact]
    public async Task A_key_policy_without_the_backup_account_is_refused_with_the_statement_to_add()
    {
        await using var world = await BackupWorld.StartAsync(ClusterKey.NotShared);

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(world, run, "does not let the backup account 222222222222 use it", "RekeyBackupAccountCopies");
    }

    [Fact]
    public async Task Cross_account_backup_off_says_the_management_account_must_turn_it_on()
    {
        await using var world = await BackupWorld.StartAsync(crossAccountBackup: false);

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(world, run, "only its management account can turn it on", "aws backup update-global-settings --global-settings isCrossAccountBackupEnabled=true");
    }

    [Fact]
    public async Task A_backup_account_outside_the_organization_is_refused()
    {
        await using var world = await BackupWorld.StartAsync();
        const string outsideRole = "arn:aws:iam::333333333333:role/rekey-backup";
        using (var api = SandboxApi.For(world.Sandbox.BaseUrl))
        {
            // A role the run may assume, so that what refuses the account is its organization.
            await api.CreateRoleAsync(outsideRole, BackupWorld.TrustPolicyFor(BackupWorld.SourceAccount), CancellationToken.None);
        }

        var run = await world.RunAsync("Backup", "--backup-account=333333333333", $"--backup-role-arn={outsideRole}");

        AssertRefusedBeforeAnyChange(world, run, "The backup account 333333333333 is not a member of an AWS Organization", "same organization");
    }

    [Fact]
    public async Task A_backup_account_in_another_organization_is_refused_naming_both_organizations()
    {
        await using var world = await BackupWorld.StartAsync();
        var other = world.Sandbox.Runtime.Change(() =>
        {
            var organization = world.Sandbox.Organizations.Create("444444444444", "o-elsewhere001");
            world.Sandbox.Organizations.Move(BackupWorld.BackupAccount, organization.Id);
            return organization;
        });

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(
            world,
            run,
            $"The cluster's account {BackupWorld.SourceAccount} is in organization o-sandbox0001 and the backup account {BackupWorld.BackupAccount} in organization {other.Id}",
            "move the backup account into o-sandbox0001");
    }

    [Fact]
    public async Task A_missing_AWS_Backup_default_service_role_is_refused_with_how_to_create_it()
    {
        await using var world = await BackupWorld.StartAsync(serviceRole: false);

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(world, run, $"AWS Backup's default service role {BackupWorld.ServiceRoleArn} does not exist", "docs/backup.md", "--backup-service-role-arn");
    }

    [Fact]
    public async Task A_named_service_role_that_does_not_exist_is_refused()
    {
        await using var world = await BackupWorld.StartAsync();
        const string missing = $"arn:aws:iam::{BackupWorld.SourceAccount}:role/backup-for-ledger";

        var run = await world.RunAsync("Backup", $"--backup-service-role-arn={missing}");

        AssertRefusedBeforeAnyChange(world, run, $"--backup-service-role-arn {missing} does not exist in the cluster's account", "AWSBackupServiceRolePolicyForBackup");
    }

    [Fact]
    public async Task A_service_role_found_under_another_path_is_refused_naming_the_ARN_to_give()
    {
        await using var world = await BackupWorld.StartAsync(serviceRole: false);
        const string rootPath = $"arn:aws:iam::{BackupWorld.SourceAccount}:role/AWSBackupDefaultServiceRole";
        using (var api = SandboxApi.For(world.Sandbox.BaseUrl))
        {
            await api.CreateRoleAsync(rootPath, CancellationToken.None);
        }

        world.Sandbox.Calls.Clear();

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(world, run, $"is {rootPath}, not {BackupWorld.ServiceRoleArn}", $"--backup-service-role-arn={rootPath}");
    }

    [Fact]
    public async Task Organizations_refused_to_the_run_is_a_warning_naming_the_permission_and_the_backup_still_works()
    {
        await using var world = await BackupWorld.StartAsync();
        world.Sandbox.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Fail,
            Service = "organizations",
            Operation = "DescribeOrganization",
            Count = 2,
            ErrorCode = "AccessDeniedException",
            HttpStatus = 400,
            Message = "You don't have permissions to access this resource.",
        });

        var run = await world.RunAsync("Backup");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("may not call organizations:DescribeOrganization", run.Output, StringComparison.Ordinal);
        Assert.Single(await world.CopiesInBackupVaultAsync());
    }

    [Fact]
    public async Task GetRole_refused_to_the_run_is_a_warning_naming_the_permission()
    {
        await using var world = await BackupWorld.StartAsync();
        world.Sandbox.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Fail,
            Service = "iam",
            Operation = "GetRole",
            ErrorCode = "AccessDenied",
            HttpStatus = 403,
            Message = $"User: arn:aws:iam::{BackupWorld.SourceAccount}:root is not authorized to perform: iam:GetRole on resource: role AWSBackupDefaultServiceRole",
        });

        var run = await world.RunAsync("BackupPreflight");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"may not call iam:GetRole on {BackupWorld.ServiceRoleArn}", run.Output, StringComparison.Ordinal);
        Assert.Empty(world.ChangingCalls());
    }

    [Fact]
    public async Task The_preflight_notes_the_shared_organization_and_the_existing_service_role()
    {
        await using var world = await BackupWorld.StartAsync();

        var run = await world.RunAsync("BackupPreflight");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Both accounts are in organization o-sandbox0001 (management account 999999999999)", run.Output, StringComparison.Ordinal);
        Assert.Contains($"AWS Backup service role {BackupWorld.ServiceRoleArn} exists", run.Output, StringComparison.Ordinal);
        Assert.Empty(world.ChangingCalls());
    }

    [Fact]
    public async Task A_backup_role_that_cannot_be_assumed_is_refused_with_what_its_trust_needs()
    {
        // The role exists but trusts another account only, so the cluster account's credentials are refused.
        await using var world = await BackupWorld.StartAsync(backupRoleTrust: BackupWorld.TrustPolicyFor("333333333333"));

        var run = await world.RunAsync("Backup");

        AssertRefusedBeforeAnyChange(world, run, $"--backup-role-arn {BackupWorld.BackupRoleArn} cannot be assumed (AccessDenied", "trust policy");
    }

    [Fact]
    public async Task Verification_alone_refuses_a_vault_policy_that_does_not_let_the_source_account_in()
    {
        await using var world = await BackupWorld.StartAsync();
        Assert.Equal(0, (await world.RunAsync("ConfigureBackup")).ExitCode);
        using (var backup = world.As(BackupWorld.BackupAccount).CreateBackup(BackupWorld.Region))
        {
            await backup.PutBackupVaultAccessPolicyAsync(new PutBackupVaultAccessPolicyRequest
            {
                BackupVaultName = BackupWorld.Vault,
                Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"OtherAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444444444444:root"},"Action":"backup:CopyIntoBackupVault","Resource":"*"}]}""",
            });
        }

        world.Sandbox.Calls.Clear();

        var run = await world.RunAsync("VerifyBackup", "--exclusive");

        AssertRefusedBeforeAnyChange(world, run, "does not let the cluster's account 111111111111 copy into it", "run ConfigureBackup");
    }

    [Fact]
    public async Task Every_problem_is_reported_in_one_run()
    {
        await using var world = await BackupWorld.StartAsync(ClusterKey.AwsManaged, crossAccountBackup: false);

        var run = await world.RunAsync("BackupPreflight", "--continuous-backup", "--backup-retention-days=60");

        AssertRefusedBeforeAnyChange(world, run, "aws/rds", "update-global-settings", "--backup-retention-days=35 or less");
    }

    private static void AssertRefusedBeforeAnyChange(BackupWorld world, BuildRun run, params string[] expected)
    {
        Assert.NotEqual(0, run.ExitCode);
        var output = string.Join(' ', run.Output.Split('\n').Select(l => l.TrimEnd()));
        foreach (var text in expected)
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }

        Assert.Empty(world.ChangingCalls());
    }
}
