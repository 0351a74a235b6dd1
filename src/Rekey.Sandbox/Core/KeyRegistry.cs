namespace Rekey.Sandbox.Core;

/// <summary>A KMS key as other services (RDS, Backup) need to see it.</summary>
public sealed record SandboxKey
{
    public required string KeyId { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>AWS or CUSTOMER.</summary>
    public required string KeyManager { get; init; }

    /// <summary>Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, Creating...</summary>
    public string KeyState { get; init; } = "Enabled";

    public string KeySpec { get; init; } = "SYMMETRIC_DEFAULT";

    public string KeyUsage { get; init; } = "ENCRYPT_DECRYPT";

    public bool MultiRegion { get; init; }

    public string? Description { get; init; }

    public DateTimeOffset CreationDate { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public string Arn => $"arn:aws:kms:{Region}:{Account}:key/{KeyId}";

    public bool IsUsableForEncryption => KeyState == "Enabled" && KeySpec == "SYMMETRIC_DEFAULT" && KeyUsage == "ENCRYPT_DECRYPT";
}

/// <summary>
/// The keys other services validate against, implemented by the KMS service (Kms/KmsKeyStore):
/// the AWS managed keys (<c>alias/aws/rds</c>, <c>alias/aws/backup</c>...) per account and region,
/// created on first use as AWS does, customer keys with their states, and key policies behind
/// <see cref="MayUse"/>. Call it under the runtime lock (AWS handlers already are).
/// </summary>
public interface IKeyRegistry
{
    /// <summary>
    /// Resolves a key id, key ARN, alias name (<c>alias/x</c>) or alias ARN as <paramref name="callerAccount"/>
    /// sees it in <paramref name="region"/>; null when it does not exist.
    /// </summary>
    SandboxKey? Find(string callerAccount, string region, string keyReference);

    /// <summary>The AWS managed key of a service (<c>rds</c> for <c>alias/aws/rds</c>), created on first use.</summary>
    SandboxKey AwsManagedKey(string account, string region, string service);

    /// <summary>Whether <paramref name="callerAccount"/> may use the key for the KMS action (e.g. kms:CreateGrant).</summary>
    bool MayUse(string callerAccount, SandboxKey key, string action);

    SandboxKey CreateCustomerKey(string account, string region, string? alias, string? description);

    SandboxKey SetKeyState(string account, string region, string keyId, string keyState);
}
