using Rekey.Aws.RDS.Model;

namespace Rekey.Clusters;

/// <summary>
/// What a cluster's storage is encrypted with, and so whether its backups can leave the account. Aurora
/// encrypts every cluster created on or after 2026-02-18 without a key with an AWS owned key (StorageEncryptionType
/// sse-rds; RDS User Guide, "Encrypting Amazon Aurora resources"), which no account can share.
/// </summary>
public static class SourceEncryption
{
    /// <summary>botocore's StorageEncryptionType values.</summary>
    public const string None = "none";

    public const string AwsOwned = "sse-rds";

    public const string Kms = "sse-kms";

    /// <summary>The day Aurora began to use an AWS owned key for clusters created without one.</summary>
    public const string AwsOwnedDefaultSince = "2026-02-18";

    /// <summary>
    /// StorageEncryptionType as DescribeDBClusters reports it; an older answer without it is read from StorageEncrypted
    /// and KmsKeyId (an encrypted cluster that names no key is on an AWS owned key).
    /// </summary>
    public static string TypeOf(this DBCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.StorageEncryptionType is { Length: > 0 } type ? type
            : cluster.StorageEncrypted != true ? None
            : cluster.KmsKeyId is null ? AwsOwned
            : Kms;
    }

    public static bool IsAwsOwned(this DBCluster cluster) => string.Equals(cluster.TypeOf(), AwsOwned, StringComparison.Ordinal);

    public static bool IsUnencrypted(this DBCluster cluster) => string.Equals(cluster.TypeOf(), None, StringComparison.Ordinal);

    /// <summary>How Inventory, Plan and BackupPreflight name the key: its ARN, "AWS owned" or "none".</summary>
    public static string KeyText(this DBCluster cluster) => cluster.TypeOf() switch
    {
        AwsOwned => "AWS owned",
        None => "none",
        _ => cluster.KmsKeyId ?? "unknown",
    };

    /// <summary>Why AWS Backup cannot copy the cluster's backups into another account (or, unencrypted, that it can but unencrypted at the source).</summary>
    public const string AwsOwnedBackups =
        "Its backups cannot be copied to another account: an AWS owned key (sse-rds, Aurora's default since " + AwsOwnedDefaultSince +
        ") belongs to AWS and cannot be shared or named in a key policy.";

    public const string AwsManagedBackups =
        "Its backups cannot be copied to another account: the AWS managed key aws/rds cannot be shared with another account.";

    public const string UnencryptedBackups =
        "Its backups can be copied to another account, but its storage and snapshots are not encrypted at the source; a copy is protected only by the backup vault's key.";
}
