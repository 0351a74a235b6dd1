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

    /// <summary>
    /// Whether the caller (its account, or the role of its STS session) may have <paramref name="viaService"/>
    /// (e.g. rds.us-east-1.amazonaws.com) use the key for it: the key policy allows every one of
    /// <see cref="KeyUse.ServiceUseActions"/> with kms:ViaService set, as RDS checks before it encrypts with a
    /// customer managed key, in the key's own account as well as in another.
    /// </summary>
    bool MayServiceUse(CallerScope caller, SandboxKey key, string viaService);

    SandboxKey CreateCustomerKey(string account, string region, string? alias, string? description);

    SandboxKey SetKeyState(string account, string region, string keyId, string keyState);
}

/// <summary>What a service asks of a customer managed key on the caller's behalf.</summary>
public static class KeyUse
{
    /// <summary>
    /// The KMS actions a service (RDS) needs the caller to have on the key to encrypt a resource with it:
    /// the grant it creates for the resource, the key's description, and the data key operations.
    /// </summary>
    public static readonly IReadOnlyList<string> ServiceUseActions = ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"];
}
