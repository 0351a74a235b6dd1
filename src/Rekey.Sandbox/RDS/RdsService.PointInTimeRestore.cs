using System.Xml.Linq;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

/// <summary>A point-in-time restore: a new cluster with the source's data as of a time in its restorable window.</summary>
public sealed partial class RdsService
{
    private IEnumerable<XElement> RestoreDBClusterToPointInTime(AwsRequestContext request, QueryParameters p)
    {
        var identifier = ValidIdentifier("DBClusterIdentifier", p.Required("DBClusterIdentifier"));
        var (sourceIdentifier, sourceResourceId, restoreToTime) = ValidateRestoreRequest(p);
        var source = sourceIdentifier is not null
            ? Cluster(request, sourceIdentifier)
            : _state.Clusters.FirstOrDefault(c => c.Account == request.Account && c.Region == request.Region && c.ResourceId == sourceResourceId)
                ?? throw RdsErrors.ClusterNotFound(sourceResourceId!);
        if (source.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"The source DB cluster {source.Identifier} is not available (it is {source.Status}).");
        }

        if (_state.FindCluster(request.Account, request.Region, identifier) is not null)
        {
            throw RdsErrors.ClusterAlreadyExists();
        }

        var restoreTime = RestorableTime(source, restoreToTime);
        var keyArn = RestoredKey(request, p, source);
        var defaults = EngineDefaults(source.Engine, source.EngineVersion);
        var restored = new DbCluster
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = identifier,
            ResourceId = RdsState.NewResourceId("cluster-"),
            Engine = source.Engine,
            EngineVersion = source.EngineVersion,
            DatabaseName = source.DatabaseName,
            MasterUsername = source.MasterUsername,
            CreateTime = Now,
            DBClusterParameterGroup = ClusterParameterGroupFor(request, p.Get("DBClusterParameterGroupName"), source.Engine, source.EngineVersion),
            StorageEncrypted = source.StorageEncrypted,
            KmsKeyId = keyArn,
            RestoredFromResourceId = source.ResourceId,
            RestoredToTime = restoreTime,

            // The data is the source's as of the restore time.
            Writes = [.. source.Writes.Where(w => w.Time <= restoreTime)],
            Pending = new PendingTransition("restore", Now + Durations.Restore, AsyncOutcome(request, "RestoreDBClusterToPointInTime")),
        };
        ApplyRequestedSettings(request, restored, p, defaults.Port);
        _state.Clusters.Add(restored);
        return [RdsXml.Cluster(_state, restored)];
    }

    /// <summary>
    /// The parameters of a point-in-time restore that stand on their own: one way to name the source, a restore type,
    /// one way to give the time (copy-on-write only at the latest time), nothing Aurora sets per instance.
    /// </summary>
    private static (string? SourceIdentifier, string? SourceResourceId, DateTimeOffset? RestoreToTime) ValidateRestoreRequest(QueryParameters p)
    {
        var sourceIdentifier = p.Get("SourceDBClusterIdentifier");
        var sourceResourceId = p.Get("SourceDbClusterResourceId");
        if ((sourceIdentifier is null) == (sourceResourceId is null))
        {
            throw AwsServiceException.InvalidParameterCombination("Exactly one of SourceDBClusterIdentifier and SourceDbClusterResourceId must be specified.");
        }

        var restoreType = p.Get("RestoreType") ?? "full-copy";
        if (restoreType is not ("full-copy" or "copy-on-write"))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid RestoreType {restoreType}: must be full-copy or copy-on-write.");
        }

        var restoreToTime = p.Time("RestoreToTime");
        var useLatest = p.Bool("UseLatestRestorableTime") ?? false;
        if (restoreToTime is not null && useLatest)
        {
            throw AwsServiceException.InvalidParameterCombination("RestoreToTime can't be specified together with UseLatestRestorableTime.");
        }

        if (restoreToTime is null && !useLatest)
        {
            throw AwsServiceException.InvalidParameterCombination("Either RestoreToTime or UseLatestRestorableTime must be specified.");
        }

        if (restoreType == "copy-on-write" && !useLatest)
        {
            throw AwsServiceException.InvalidParameterCombination("A copy-on-write restore can only use UseLatestRestorableTime, not RestoreToTime.");
        }

        // Aurora sets these per instance (CreateDBInstance), not on a restored cluster.
        if (p.Bool("EnablePerformanceInsights") == true || p.Int("MonitoringInterval") is > 0)
        {
            throw AwsServiceException.InvalidParameterCombination(
                "Performance Insights and Enhanced Monitoring can't be set when restoring an Aurora DB cluster; set them on its DB instances.");
        }

        return (sourceIdentifier, sourceResourceId, restoreToTime);
    }

    /// <summary>The time to restore <paramref name="source"/> to (the latest restorable time when none is given), within its restorable window.</summary>
    private DateTimeOffset RestorableTime(DbCluster source, DateTimeOffset? restoreToTime)
    {
        var latest = _state.LatestRestorableTime(source)
            ?? throw new AwsServiceException("InvalidRestoreFault", $"DB cluster {source.Identifier} has no restorable time yet.");
        var restoreTime = restoreToTime ?? latest;
        if (restoreTime > latest)
        {
            throw new AwsServiceException(
                "InvalidRestoreFault",
                $"The restore time {QueryXml.Timestamp(restoreTime)} is after the latest restorable time {QueryXml.Timestamp(latest)} of DB cluster {source.Identifier}.");
        }

        if (restoreTime < source.CreateTime)
        {
            throw new AwsServiceException(
                "InvalidRestoreFault",
                $"The restore time {QueryXml.Timestamp(restoreTime)} is before the earliest restorable time {QueryXml.Timestamp(source.CreateTime)} of DB cluster {source.Identifier}.");
        }

        return restoreTime;
    }

    /// <summary>The key a restored cluster is encrypted with: the one named (only for an encrypted source), else the source's, which must be usable.</summary>
    private string? RestoredKey(AwsRequestContext request, QueryParameters p, DbCluster source)
    {
        var keyArn = source.KmsKeyId;
        if (p.Get("KmsKeyId") is { } keyReference)
        {
            if (!source.StorageEncrypted)
            {
                throw AwsServiceException.InvalidParameterCombination(
                    $"The source DB cluster {source.Identifier} is not encrypted: a point-in-time restore of it can't be encrypted with KmsKeyId.");
            }

            return UsableKey(request, keyReference).Arn;
        }

        if (source.StorageEncrypted && keyArn is not null && Runtime.Keys.Find(source.Account, source.Region, keyArn) is { } sourceKey &&
            (!sourceKey.IsUsableForEncryption || !MayUseThroughRds(request, sourceKey)))
        {
            throw new AwsServiceException("KMSKeyNotAccessibleFault", $"The KMS key {keyArn} of the source DB cluster is not accessible.");
        }

        return keyArn;
    }
}
