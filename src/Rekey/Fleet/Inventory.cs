using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;

namespace Rekey.Fleet;

/// <summary>
/// Lists the clusters of the credentials' account, Region by Region, that are not on a customer managed key
/// of the account: on the AWS managed key aws/rds (DescribeKey's KeyManager is AWS), on an AWS owned key
/// (StorageEncryptionType sse-rds, no KmsKeyId) or not encrypted. Every other cluster is named with the
/// reason it is left out. Read only. A Region that refuses the credentials (not opted in, access denied)
/// is reported and skipped.
/// </summary>
public sealed class Inventory(IAwsClientFactory aws, ILogger logger)
{
    // What AWS answers in a Region the account has not opted into, or where the credentials are not allowed.
    private static readonly HashSet<string> RefusalCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
        "InvalidClientTokenId", "AuthFailure", "OptInRequired", "SignatureDoesNotMatch",
    };

    /// <summary>
    /// Every Region of <paramref name="partition"/> that the SDK's partition data knows, in name order.
    /// </summary>
    public static IReadOnlyList<string> RegionsOfPartition(string partition) =>
        RegionEndpoint.EnumerableAllRegions
            .Where(r => string.Equals(r.PartitionName, partition, StringComparison.Ordinal))
            .Select(r => r.SystemName)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The partition of an ARN (arn:PARTITION:...).</summary>
    public static string PartitionOf(string arn) =>
        arn.Split(':') is { Length: > 2 } parts && parts[0] == "arn" ? parts[1] : "aws";

    /// <summary>Who the credentials are: account and partition, from STS.</summary>
    public async Task<(string Account, string Partition)> CallerAsync(RegionEndpoint region, CancellationToken cancellationToken)
    {
        using var sts = aws.CreateSts(region);
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        return (identity.Account, PartitionOf(identity.Arn));
    }

    /// <summary>Scans <paramref name="regions"/> one after the other (so the output is in a stable order).</summary>
    public async Task<InventoryResult> ScanAsync(string account, IReadOnlyList<string> regions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var clusters = new List<InventoryEntry>();
        var leftOut = new List<LeftOutCluster>();
        var skipped = new List<SkippedRegion>();
        foreach (var name in regions)
        {
            try
            {
                clusters.AddRange(await ScanRegionAsync(account, RegionEndpoint.GetBySystemName(name), leftOut, cancellationToken).ConfigureAwait(false));
            }
            catch (AmazonServiceException exception) when (IsRefusal(exception))
            {
                logger.LogWarning("Skipping {Region}: {Code} {Message}", name, exception.ErrorCode, exception.Message);
                skipped.Add(new SkippedRegion(name, $"{exception.ErrorCode}: {exception.Message}"));
            }
        }

        return new InventoryResult { Account = account, Regions = regions, Clusters = clusters, Skipped = skipped, LeftOut = leftOut };
    }

    private static bool IsRefusal(AmazonServiceException exception) =>
        RefusalCodes.Contains(exception.ErrorCode ?? string.Empty)
        || exception.StatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Unauthorized;

    private async Task<List<InventoryEntry>> ScanRegionAsync(string account, RegionEndpoint region, List<LeftOutCluster> leftOut, CancellationToken cancellationToken)
    {
        using var rds = aws.CreateRds(region);
        using var kms = aws.CreateKms(region);
        var found = new List<InventoryEntry>();
        var keyManagers = new Dictionary<string, (string? Manager, string? Unreadable)>(StringComparer.Ordinal);
        await foreach (var cluster in rds.DescribeDBClustersAllAsync(new DescribeDBClustersRequest(), cancellationToken).ConfigureAwait(false))
        {
            // The old cluster a cutover keeps (restore-swap's for Rollback, Blue/Green's old blue until Cleanup)
            // is still on its old key, but it is no candidate.
            if (Migration.KeptOldCluster.BelongsTo(cluster) is { } owner)
            {
                var kept = Migration.KeptOldCluster.IsOldBlue(cluster) ? "the old blue cluster" : "the old cluster";
                LeaveOut(cluster, region, $"skipped, {kept} Rekey kept when it moved {owner}", leftOut);
                continue;
            }

            var entry = EntryOf(cluster, region, account);
            var assessed = WithoutKeyOfItsOwn(entry, cluster)
                ?? await AssessByKeyAsync(kms, cluster, entry, region, keyManagers, leftOut, cancellationToken).ConfigureAwait(false);
            if (assessed is not null)
            {
                found.Add(assessed);
            }
        }

        logger.LogInformation(
            "{Region}: {Count} clusters not on a customer managed key of the account (aws/rds, AWS owned or unencrypted)", region.SystemName, found.Count);
        return found;
    }

    private static InventoryEntry EntryOf(DBCluster cluster, RegionEndpoint region, string account) => new()
    {
        Cluster = cluster.DBClusterIdentifier!,
        Region = region.SystemName,
        Account = AccountOf(cluster.DBClusterArn) ?? account,
        Engine = cluster.Engine,
        EngineVersion = cluster.EngineVersion,
        KeyId = cluster.KmsKeyId,
        Instances = cluster.DBClusterMembers?.Count ?? 0,
        Encrypted = cluster.StorageEncrypted == true,
        StorageEncryptionType = cluster.TypeOf(),
        Key = cluster.KeyText(),
    };

    /// <summary>An unencrypted cluster or one on an AWS owned key, which has no key of its own to read; null for any other.</summary>
    private static InventoryEntry? WithoutKeyOfItsOwn(InventoryEntry entry, DBCluster cluster)
    {
        if (entry.StorageEncryptionType == SourceEncryption.None)
        {
            return entry with
            {
                Backups = SourceEncryption.UnencryptedBackups,
                Note = "Not encrypted: a point-in-time restore cannot encrypt it, so Rekey moves it with a Blue/Green deployment "
                    + "whose green is on the customer managed key (TargetKmsKeyId).",
            };
        }

        if (entry.StorageEncryptionType == SourceEncryption.AwsOwned || cluster.KmsKeyId is null)
        {
            return entry with
            {
                Key = "AWS owned",
                StorageEncryptionType = SourceEncryption.AwsOwned,
                KeyManager = "AWS_OWNED",
                Backups = SourceEncryption.AwsOwnedBackups,
                Note = $"On an AWS owned key (sse-rds), Aurora's default for clusters created without a key since {SourceEncryption.AwsOwnedDefaultSince}.",
            };
        }

        return null;
    }

    /// <summary>
    /// A cluster on a KMS key, judged by who manages the key (read once per key): aws/rds and another account's key are
    /// candidates; a key of this account, or one that cannot be read, leaves the cluster out (null), saying why.
    /// </summary>
    private async Task<InventoryEntry?> AssessByKeyAsync(
        IAmazonKeyManagementService kms,
        DBCluster cluster,
        InventoryEntry entry,
        RegionEndpoint region,
        Dictionary<string, (string? Manager, string? Unreadable)> keyManagers,
        List<LeftOutCluster> leftOut,
        CancellationToken cancellationToken)
    {
        var keyId = cluster.KmsKeyId!;
        if (!keyManagers.TryGetValue(keyId, out var known))
        {
            known = await KeyManagerAsync(kms, keyId, region.SystemName, cancellationToken).ConfigureAwait(false);
            keyManagers[keyId] = known;
        }

        var (manager, unreadable) = known;
        if (unreadable is not null)
        {
            // One cluster whose key cannot be read (a deleted key) must not stop the scan of the others.
            LeaveOut(cluster, region, $"not assessed, its key {keyId} cannot be read: {unreadable}; look at the key (kms describe-key) and the cluster by hand", leftOut);
            return null;
        }

        var keyAccount = AccountOf(keyId);
        if (string.Equals(manager, KeyManagerType.AWS.Value, StringComparison.Ordinal))
        {
            return entry with { KeyManager = manager, Backups = SourceEncryption.AwsManagedBackups };
        }

        if (manager is null)
        {
            LeaveOut(
                cluster,
                region,
                $"left out, its key {keyId} cannot be described with these credentials (a customer managed key of another account, or no kms:DescribeKey)",
                leftOut);
            return null;
        }

        if (keyAccount is not null && keyAccount != entry.Account)
        {
            return entry with
            {
                KeyManager = manager,
                Backups = $"Its key belongs to account {keyAccount}: whether its backups can be copied depends on that account's key policy, "
                    + "which this account does not control.",
                Note = $"On a customer managed key of another account ({keyAccount}); move it to one of this account with --kms-key.",
            };
        }

        LeaveOut(cluster, region, $"left out, already on a customer managed key of the account ({keyId}); to move it to another one, run Cutover with that key", leftOut);
        return null;
    }

    private void LeaveOut(DBCluster cluster, RegionEndpoint region, string reason, List<LeftOutCluster> leftOut)
    {
        logger.LogInformation("{Cluster}: {Reason}", cluster.DBClusterIdentifier, reason);
        leftOut.Add(new LeftOutCluster(cluster.DBClusterIdentifier!, region.SystemName, reason));
    }

    /// <summary>The key's KeyManager (null when this account may not describe it), or why it could not be read at all.</summary>
    private async Task<(string? Manager, string? Unreadable)> KeyManagerAsync(IAmazonKeyManagementService kms, string keyId, string region, CancellationToken cancellationToken)
    {
        try
        {
            var response = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false);
            return (response.KeyMetadata.KeyManager?.Value, null);
        }
        catch (AmazonServiceException exception) when (IsRefusal(exception))
        {
            // An AWS managed key always lets its own account describe it, so a key this account may not
            // describe is a customer managed key (often another account's): not a candidate.
            logger.LogWarning("{Region}: key {Key} cannot be described ({Code}); its clusters are left out", region, keyId, exception.ErrorCode);
            return (null, null);
        }
        catch (AmazonServiceException exception)
        {
            logger.LogWarning("{Region}: key {Key} cannot be read ({Code}: {Message}); its clusters are not assessed", region, keyId, exception.ErrorCode, exception.Message);
            return (null, $"{exception.ErrorCode}: {exception.Message}");
        }
    }

    private static string? AccountOf(string? arn) =>
        arn?.Split(':') is { Length: > 4 } parts && parts[4].Length == 12 ? parts[4] : null;
}
