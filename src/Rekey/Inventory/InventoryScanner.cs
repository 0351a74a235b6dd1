using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;

namespace Rekey.Inventory;

/// <summary>
/// Lists the clusters of the credentials' account, Region by Region, whose storage key is AWS managed
/// (DescribeKey's KeyManager is AWS) or that are not encrypted. Read only. A Region that refuses the
/// credentials (not opted in, access denied) is reported and skipped; a cluster whose key cannot be read
/// (a deleted key) is listed with the reason, and the scan goes on.
/// </summary>
public sealed class InventoryScanner(IAwsClientFactory aws, ILogger logger)
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
        var skipped = new List<SkippedRegion>();
        var unassessed = new List<UnassessedCluster>();
        foreach (var name in regions)
        {
            try
            {
                clusters.AddRange(await ScanRegionAsync(account, RegionEndpoint.GetBySystemName(name), unassessed, cancellationToken).ConfigureAwait(false));
            }
            catch (AmazonServiceException exception) when (IsRefusal(exception))
            {
                logger.LogWarning("Skipping {Region}: {Code} {Message}", name, exception.ErrorCode, exception.Message);
                skipped.Add(new SkippedRegion(name, $"{exception.ErrorCode}: {exception.Message}"));
            }
        }

        return new InventoryResult { Account = account, Regions = regions, Clusters = clusters, Skipped = skipped, Unassessed = unassessed };
    }

    private static bool IsRefusal(AmazonServiceException exception) =>
        RefusalCodes.Contains(exception.ErrorCode ?? string.Empty)
        || exception.StatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Unauthorized;

    private async Task<List<InventoryEntry>> ScanRegionAsync(
        string account, RegionEndpoint region, List<UnassessedCluster> unassessed, CancellationToken cancellationToken)
    {
        using var rds = aws.CreateRds(region);
        using var kms = aws.CreateKms(region);
        var found = new List<InventoryEntry>();
        var keyManagers = new Dictionary<string, (string? Manager, string? Problem)>(StringComparer.Ordinal);
        await foreach (var cluster in rds.DescribeDBClustersAllAsync(new DescribeDBClustersRequest(), cancellationToken).ConfigureAwait(false))
        {
            // The old cluster a cutover keeps (restore-swap's for Rollback, Blue/Green's old blue until Cleanup)
            // is still on the AWS managed key, but it is no candidate.
            if (Migration.KeptOldCluster.BelongsTo(cluster) is { } owner)
            {
                var kept = Migration.KeptOldCluster.IsOldBlue(cluster) ? "the old blue cluster" : "the old cluster";
                logger.LogInformation("{Cluster}: skipped, {Kept} Rekey kept when it moved {Owner}", cluster.DBClusterIdentifier, kept, owner);
                continue;
            }

            var entry = new InventoryEntry
            {
                Cluster = cluster.DBClusterIdentifier!,
                Region = region.SystemName,
                Account = AccountOf(cluster.DBClusterArn) ?? account,
                Engine = cluster.Engine,
                EngineVersion = cluster.EngineVersion,
                KeyId = cluster.KmsKeyId,
                Instances = cluster.DBClusterMembers?.Count ?? 0,
                Encrypted = cluster.StorageEncrypted == true,
            };

            if (!entry.Encrypted)
            {
                found.Add(entry with
                {
                    Note = "Not encrypted: a point-in-time restore cannot encrypt it; snapshot it and restore the snapshot with a customer managed key, or use a Blue/Green deployment with a target key.",
                });
                continue;
            }

            if (cluster.KmsKeyId is not { } keyId)
            {
                continue;
            }

            if (!keyManagers.TryGetValue(keyId, out var key))
            {
                key = await KeyManagerAsync(kms, keyId, region.SystemName, cancellationToken).ConfigureAwait(false);
                keyManagers[keyId] = key;
            }

            var (manager, problem) = key;
            if (problem is not null)
            {
                logger.LogWarning("{Region}: {Cluster} not assessed: {Problem}", region.SystemName, entry.Cluster, problem);
                unassessed.Add(new UnassessedCluster(entry.Cluster, region.SystemName, entry.Account, keyId, cluster.Status, problem));
                continue;
            }

            if (string.Equals(manager, KeyManagerType.AWS.Value, StringComparison.Ordinal))
            {
                found.Add(entry with { KeyManager = manager });
            }
        }

        logger.LogInformation("{Region}: {Count} clusters on the AWS managed key or unencrypted", region.SystemName, found.Count);
        return found;
    }

    /// <summary>The key's KeyManager, or why it could not be read (then its clusters are listed as not assessed).</summary>
    private async Task<(string? Manager, string? Problem)> KeyManagerAsync(IAmazonKeyManagementService kms, string keyId, string region, CancellationToken cancellationToken)
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
        catch (NotFoundException exception)
        {
            // AWS managed keys are never deleted, so a missing key was a customer managed one; the cluster cannot
            // be read any more (RDS shows inaccessible-encryption-credentials) and needs a person, not a cutover.
            return (null, $"its key {keyId} does not exist ({exception.ErrorCode}: {exception.Message}): it was deleted, so the cluster's data cannot be read. "
                + "Restore the cluster from a backup or snapshot made under a key that still exists; Rekey cannot move it.");
        }
        catch (AmazonServiceException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // One key KMS does not answer for must not stop the fleet's scan: the cluster is listed, the scan goes on.
            return (null, $"its key {keyId} could not be described ({exception.ErrorCode}: {exception.Message}). "
                + $"Look at it with `aws kms describe-key --key-id {keyId} --region {region}` and run Inventory again.");
        }
    }

    private static string? AccountOf(string? arn) =>
        arn?.Split(':') is { Length: > 4 } parts && parts[4].Length == 12 ? parts[4] : null;
}
