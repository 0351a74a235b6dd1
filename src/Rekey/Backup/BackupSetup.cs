using Amazon.SecurityToken.Model;
using Rekey.Configuration;
using Rekey.Runtime;

namespace Rekey.Backup;

/// <summary>
/// What the backup steps work on, from the settings and the caller's identity: the two accounts, the
/// vaults, the plan, its rule and selection, the AWS Backup service role, schedule and retention.
/// </summary>
public sealed record BackupSetup
{
    public const string DefaultVaultName = "rekey-backup";
    public const string DefaultVaultKeyAlias = "alias/rekey-backup-vault";
    public const string DefaultSchedule = "cron(0 5 ? * * *)";
    public const int DefaultRetentionDays = 35;
    public const int DefaultCopyRetentionDays = 90;

    /// <summary>AWS Backup keeps continuous backups of Aurora for at most 35 days.</summary>
    public const int MaxContinuousRetentionDays = 35;

    public const string RuleName = "rekey-cross-account-copy";
    public const string ManagedTagKey = "rekey:managed";

    public required string Cluster { get; init; }

    public required string Region { get; init; }

    public required string Partition { get; init; }

    public required string SourceAccount { get; init; }

    public string? BackupAccount { get; init; }

    public string? BackupRoleArn { get; init; }

    public required string BackupVaultName { get; init; }

    public required string SourceVaultName { get; init; }

    public KmsKeyReference? VaultKey { get; init; }

    public required string ServiceRoleArn { get; init; }

    /// <summary>True when <c>--backup-service-role-arn</c> named the role; else it is AWS Backup's default role.</summary>
    public bool ServiceRoleNamed { get; init; }

    public required string Schedule { get; init; }

    public required int RetentionDays { get; init; }

    public required int CopyRetentionDays { get; init; }

    public bool ContinuousBackup { get; init; }

    public string PlanName => $"rekey-{Cluster}";

    public string SelectionName => $"rekey-{Cluster}";

    public string ClusterArn => $"arn:{Partition}:rds:{Region}:{SourceAccount}:cluster:{Cluster}";

    public string BackupVaultArn => $"arn:{Partition}:backup:{Region}:{BackupAccount}:backup-vault:{BackupVaultName}";

    public string SourceVaultArn => $"arn:{Partition}:backup:{Region}:{SourceAccount}:backup-vault:{SourceVaultName}";

    /// <summary>Reads the settings and asks STS who the run's credentials belong to.</summary>
    public static async Task<BackupSetup> ReadAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var identity = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var partition = identity.Arn.Split(':')[1];
        var settings = run.Settings;
        var vault = settings.BackupVault ?? DefaultVaultName;
        return new BackupSetup
        {
            Cluster = run.ClusterId,
            Region = run.Region.SystemName,
            Partition = partition,
            SourceAccount = identity.Account,
            BackupAccount = settings.BackupAccount ?? AccountOf(settings.BackupRoleArn),
            BackupRoleArn = settings.BackupRoleArn,
            BackupVaultName = vault,
            SourceVaultName = settings.SourceBackupVault ?? vault,
            VaultKey = settings.BackupVaultKey,
            ServiceRoleArn = settings.BackupServiceRoleArn ?? DefaultServiceRoleArn(partition, identity.Account),
            ServiceRoleNamed = settings.BackupServiceRoleArn is not null,
            Schedule = settings.BackupSchedule ?? DefaultSchedule,
            RetentionDays = settings.BackupRetentionDays ?? DefaultRetentionDays,
            CopyRetentionDays = settings.CopyRetentionDays ?? DefaultCopyRetentionDays,
            ContinuousBackup = settings.ContinuousBackup,
        };
    }

    /// <summary>The role AWS Backup creates for itself the first time its console is used in an account.</summary>
    public static string DefaultServiceRoleArn(string partition, string account) =>
        $"arn:{partition}:iam::{account}:role/service-role/AWSBackupDefaultServiceRole";

    /// <summary>A role ARN's name: what follows its last '/', whatever the path before it.</summary>
    public static string RoleNameOf(string roleArn)
    {
        ArgumentNullException.ThrowIfNull(roleArn);
        return roleArn[(roleArn.LastIndexOf('/') + 1)..];
    }

    /// <summary>The account an ARN names (its fifth field), or null.</summary>
    public static string? AccountOf(string? arn) =>
        arn?.Split(':') is { Length: > 5 } parts && parts[4].Length == 12 ? parts[4] : null;
}
