using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Backup;

// AWS Backup resources as the sandbox keeps them (and saves them in the state file).

public sealed class BackupVault
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Name { get; init; }

    public required string EncryptionKeyArn { get; init; }

    /// <summary>CUSTOMER for a customer managed key, AWS for an AWS managed one (aws/backup).</summary>
    public required string EncryptionKeyManager { get; init; }

    public DateTimeOffset CreationDate { get; init; }

    public string? CreatorRequestId { get; init; }

    /// <summary>The vault access policy exactly as it was given; null when none.</summary>
    public string? AccessPolicy { get; set; }

    public Dictionary<string, string> Tags { get; set; } = [];

    public string Arn => $"arn:aws:backup:{Region}:{Account}:backup-vault:{Name}";
}

public sealed class BackupPlan
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Id { get; init; }

    public required string Name { get; set; }

    public required string VersionId { get; set; }

    public DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset VersionDate { get; set; }

    public string? CreatorRequestId { get; init; }

    /// <summary>The rules as BackupRule shapes (defaults filled in, RuleId added).</summary>
    public JsonArray Rules { get; set; } = [];

    public JsonArray? AdvancedBackupSettings { get; set; }

    public Dictionary<string, string> Tags { get; set; } = [];

    public string Arn => $"arn:aws:backup:{Region}:{Account}:backup-plan:{Id}";
}

public sealed class BackupSelection
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Id { get; init; }

    public required string PlanId { get; init; }

    public DateTimeOffset CreationDate { get; init; }

    public string? CreatorRequestId { get; init; }

    /// <summary>The BackupSelection shape exactly as it was given.</summary>
    public required JsonObject Selection { get; init; }
}

public sealed class RecoveryPoint
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Arn { get; init; }

    public required string VaultName { get; init; }

    public required string ResourceArn { get; init; }

    public required string ResourceName { get; init; }

    public string ResourceType { get; init; } = "Aurora";

    /// <summary>The cluster's own key: Aurora recovery points are not re-encrypted with the vault key.</summary>
    public string? EncryptionKeyArn { get; init; }

    /// <summary>An sse-rds cluster's recovery point: encrypted under an AWS owned key, which has no ARN the account can see.</summary>
    public bool AwsOwnedKey { get; init; }

    public string? SourceBackupVaultArn { get; init; }

    public required string IamRoleArn { get; init; }

    public string Status { get; set; } = "CREATING";

    public DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset? CompletionDate { get; set; }

    public JsonObject? Lifecycle { get; init; }

    public long BackupSizeInBytes { get; set; }

    public Dictionary<string, string> Tags { get; set; } = [];
}

/// <summary>What a backup job and a copy job both carry: the resource, the role, and the job's state on the sandbox clock.</summary>
public abstract class BackupOrCopyJob
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string Id { get; init; }

    public required string ResourceArn { get; init; }

    public required string ResourceName { get; init; }

    public required string IamRoleArn { get; init; }

    public string State { get; set; } = "CREATED";

    public string? StatusMessage { get; set; }

    public DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset? CompletionDate { get; set; }

    public DateTimeOffset DueAt { get; set; }

    /// <summary>succeed, fail or hang (sandbox faults).</summary>
    public string Outcome { get; init; } = "succeed";

    public JsonObject? Lifecycle { get; init; }

    public long BackupSizeInBytes { get; set; }

    public string? IdempotencyToken { get; init; }
}

public sealed class BackupJob : BackupOrCopyJob
{
    public required string VaultName { get; init; }

    public required string VaultArn { get; init; }

    public required string RecoveryPointArn { get; init; }

    public string? EncryptionKeyArn { get; init; }

    public bool AwsOwnedKey { get; init; }
}

public sealed class CopyJob : BackupOrCopyJob
{
    public required string SourceBackupVaultArn { get; init; }

    public required string SourceRecoveryPointArn { get; init; }

    public required string DestinationBackupVaultArn { get; init; }

    public string? DestinationRecoveryPointArn { get; set; }

    public string? DestinationEncryptionKeyArn { get; set; }
}
