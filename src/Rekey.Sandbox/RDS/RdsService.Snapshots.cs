using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>Manual cluster snapshots: taking, sharing with other accounts and copying them.</summary>
public sealed partial class RdsService
{
    private void RegisterSnapshotOperations()
    {
        Register("CreateDBClusterSnapshot", mutating: true, CreateDBClusterSnapshot);
        Register("DescribeDBClusterSnapshots", mutating: false, DescribeDBClusterSnapshots);
        Register("ModifyDBClusterSnapshotAttribute", mutating: true, ModifyDBClusterSnapshotAttribute);
        Register("CopyDBClusterSnapshot", mutating: true, CopyDBClusterSnapshot);
    }

    private IEnumerable<XElement> CreateDBClusterSnapshot(AwsRequestContext request, QueryParameters p)
    {
        var identifier = ValidIdentifier("DBClusterSnapshotIdentifier", p.Required("DBClusterSnapshotIdentifier"));
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        if (cluster.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is not available (it is {cluster.Status}).");
        }

        return [RdsXml.Snapshot(TakeSnapshot(cluster, identifier, ReadTags(p)))];
    }

    /// <summary>
    /// Shares a manual snapshot with other accounts (AttributeName restore). A snapshot on the AWS managed key cannot be
    /// shared (RDS User Guide, "Sharing a DB cluster snapshot": "You can't share a snapshot that's encrypted using the
    /// default KMS key"), nor one on an AWS owned key, which no other account can use (the sandbox's reading, the same
    /// refusal); an encrypted snapshot cannot be made public.
    /// </summary>
    private IEnumerable<XElement> ModifyDBClusterSnapshotAttribute(AwsRequestContext request, QueryParameters p)
    {
        var identifier = p.Required("DBClusterSnapshotIdentifier");
        var snapshot = _state.Snapshots.FirstOrDefault(s => s.Account == request.Account && s.Region == request.Region && (s.Identifier == identifier.ToLowerInvariant() || s.Arn == identifier))
            ?? throw RdsErrors.SnapshotNotFound(identifier);
        if (p.Required("AttributeName") != "restore")
        {
            throw AwsServiceException.InvalidParameterValue("The attribute name must be restore.");
        }

        if (snapshot.Status != "available" || snapshot.SnapshotType != "manual")
        {
            throw new AwsServiceException("InvalidDBClusterSnapshotStateFault", $"DB cluster snapshot {snapshot.Identifier} must be an available manual snapshot to be shared.");
        }

        var add = p.List("ValuesToAdd");
        if (add.Count > 0 && snapshot.StorageEncrypted)
        {
            var key = snapshot.KmsKeyId is { } keyArn ? Runtime.Keys.Find(snapshot.Account, snapshot.Region, keyArn) : null;
            if (snapshot.KmsKeyId is null || key is { KeyManager: "AWS" })
            {
                var kind = snapshot.KmsKeyId is null ? "an AWS owned key" : "the default KMS key (aws/rds)";
                throw AwsServiceException.InvalidParameterValue($"DB cluster snapshot {snapshot.Identifier} is encrypted with {kind} and can't be shared; copy it with a customer managed key first.");
            }

            if (add.Contains("all"))
            {
                throw AwsServiceException.InvalidParameterValue("An encrypted DB cluster snapshot can't be made public.");
            }
        }

        snapshot.RestoreAccounts = [.. snapshot.RestoreAccounts.Concat(add).Except(p.List("ValuesToRemove")).Distinct()];
        return
        [
            new XElement(
                "DBClusterSnapshotAttributesResult",
                new XElement("DBClusterSnapshotIdentifier", snapshot.Identifier),
                List("DBClusterSnapshotAttributes", "DBClusterSnapshotAttribute", [snapshot], s => new object[]
                {
                    new XElement("AttributeName", "restore"),
                    List("AttributeValues", "AttributeValue", s.RestoreAccounts, v => v),
                })),
        ];
    }

    /// <summary>
    /// Copies an available cluster snapshot into the caller's account and Region (botocore's CopyDBClusterSnapshot):
    /// the source is the caller's own (identifier or ARN) or, by ARN, one another account shared with it (restore
    /// attribute). KmsKeyId re-encrypts an encrypted copy onto a key the caller may use through RDS; without it the copy
    /// keeps the source's key, AWS owned included. A shared encrypted source needs KmsKeyId and a source key whose policy
    /// lets the caller use it. An unencrypted source with KmsKeyId is an error ("If you copy an unencrypted DB cluster
    /// snapshot and specify a value for the KmsKeyId parameter, an error is returned"). A snapshot on aws/rds or an AWS
    /// owned key cannot be shared (ModifyDBClusterSnapshotAttribute), so no other account can copy it. Cross-Region
    /// copies are not modelled. A refusal changes nothing.
    /// </summary>
    private IEnumerable<XElement> CopyDBClusterSnapshot(AwsRequestContext request, QueryParameters p)
    {
        var sourceReference = p.Required("SourceDBClusterSnapshotIdentifier");
        var target = ValidIdentifier("TargetDBClusterSnapshotIdentifier", p.Required("TargetDBClusterSnapshotIdentifier"));
        var source = SourceSnapshot(request, sourceReference);
        if (source.Status != "available")
        {
            throw new AwsServiceException("InvalidDBClusterSnapshotStateFault", $"DB cluster snapshot {source.Identifier} is not available (it is {source.Status}).");
        }

        var shared = source.Account != request.Account;
        var keyReference = p.Get("KmsKeyId");
        RequireCopyableKeys(request, source, shared, keyReference);
        var keyArn = keyReference is null ? source.KmsKeyId : UsableKey(request, keyReference).Arn;
        if (_state.Snapshots.Any(s => s.Account == request.Account && s.Region == request.Region && s.Identifier == target))
        {
            throw RdsErrors.SnapshotAlreadyExists(target);
        }

        var copy = new ClusterSnapshot
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = target,
            ResourceId = RdsState.NewResourceId("cluster-snapshot-"),
            Status = "copying",
            ClusterIdentifier = source.ClusterIdentifier,
            ClusterResourceId = source.ClusterResourceId,
            Engine = source.Engine,
            EngineVersion = source.EngineVersion,
            MasterUsername = source.MasterUsername,
            Port = source.Port,
            StorageEncrypted = source.StorageEncrypted,
            KmsKeyId = keyArn,
            ClusterCreateTime = source.ClusterCreateTime,
            CreateTime = Now,
            Writes = [.. source.Writes],
            Tags = [.. (p.Bool("CopyTags") == true && !shared ? source.Tags : []).Concat(ReadTags(p)).DistinctBy(t => t.Key)],
            Pending = new PendingTransition("copy", Now + Durations.Snapshot),
        };
        _state.Snapshots.Add(copy);
        return [RdsXml.Snapshot(copy)];
    }

    /// <summary>
    /// Refuses a copy whose keys do not allow it: an unencrypted source given a key, or a shared encrypted source
    /// without a key of the caller's or whose key the caller may not use through RDS.
    /// </summary>
    private void RequireCopyableKeys(AwsRequestContext request, ClusterSnapshot source, bool shared, string? keyReference)
    {
        if (!source.StorageEncrypted && keyReference is not null)
        {
            throw new AwsServiceException(
                "InvalidParameterCombination",
                $"DB cluster snapshot {source.Identifier} is not encrypted, so a copy of it cannot name a KMS key; restore it with a KmsKeyId to get an encrypted cluster.");
        }

        if (!shared || !source.StorageEncrypted)
        {
            return;
        }

        if (keyReference is null)
        {
            throw AwsServiceException.InvalidParameterValue(
                $"DB cluster snapshot {source.Arn} is encrypted and shared from account {source.Account}: give a KmsKeyId of your account for the copy.");
        }

        // RDS decrypts the source with its key on the caller's behalf: the key's policy must let the caller's account use it.
        var sourceKey = source.KmsKeyId is { } sourceKeyArn ? Runtime.Keys.Find(request.Account, source.Region, sourceKeyArn) : null;
        if (sourceKey is null || !sourceKey.IsUsableForEncryption || !MayUseThroughRds(request, sourceKey))
        {
            throw KeyNotAccessible(source.KmsKeyId ?? "an AWS owned key");
        }
    }

    /// <summary>
    /// The snapshot a copy reads: the caller's own by identifier or ARN, or another account's by ARN when it is shared
    /// with the caller. A snapshot that is not shared reads as missing, as AWS does not say whether another account's snapshot exists.
    /// </summary>
    private ClusterSnapshot SourceSnapshot(AwsRequestContext request, string reference)
    {
        if (!reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            return _state.Snapshots.FirstOrDefault(s => s.Account == request.Account && s.Region == request.Region && s.Identifier == reference.ToLowerInvariant())
                ?? throw RdsErrors.SnapshotNotFound(reference);
        }

        var parts = reference.Split(':');
        if (parts.Length != 7 || parts[2] != "rds" || parts[5] != "cluster-snapshot")
        {
            throw AwsServiceException.InvalidParameterValue($"{reference} is not a DB cluster snapshot ARN.");
        }

        if (parts[3] != request.Region)
        {
            throw AwsServiceException.InvalidParameterValue($"The sandbox does not copy DB cluster snapshots across Regions ({parts[3]} to {request.Region}).");
        }

        var snapshot = _state.Snapshots.FirstOrDefault(s => s.Account == parts[4] && s.Region == parts[3] && s.Identifier == parts[6].ToLowerInvariant());
        var visible = snapshot is not null && (snapshot.Account == request.Account
            || snapshot.RestoreAccounts.Contains(request.Account) || (!snapshot.StorageEncrypted && snapshot.RestoreAccounts.Contains("all")));
        return visible ? snapshot! : throw RdsErrors.SnapshotNotFound(reference);
    }

    private IEnumerable<XElement> DescribeDBClusterSnapshots(AwsRequestContext request, QueryParameters p)
    {
        var filters = ReadFilters(p, "db-cluster-id", "db-cluster-snapshot-id", "snapshot-type", "engine");
        IEnumerable<ClusterSnapshot> snapshots = _state.Snapshots.Where(s => s.Account == request.Account && s.Region == request.Region);
        if (p.Get("DBClusterSnapshotIdentifier") is { } identifier)
        {
            snapshots = [snapshots.FirstOrDefault(s => s.Identifier == identifier.ToLowerInvariant() || s.Arn == identifier) ?? throw RdsErrors.SnapshotNotFound(identifier)];
        }

        if (p.Get("DBClusterIdentifier") is { } clusterIdentifier)
        {
            snapshots = snapshots.Where(s => s.ClusterIdentifier == clusterIdentifier.ToLowerInvariant());
        }

        if (p.Get("DbClusterResourceId") is { } resourceId)
        {
            snapshots = snapshots.Where(s => s.ClusterResourceId == resourceId);
        }

        if (p.Get("SnapshotType") is { } type)
        {
            snapshots = snapshots.Where(s => s.SnapshotType == type);
        }

        foreach (var (name, values) in filters)
        {
            snapshots = name switch
            {
                "db-cluster-id" => snapshots.Where(s => values.Contains(s.ClusterIdentifier)),
                "db-cluster-snapshot-id" => snapshots.Where(s => values.Contains(s.Identifier) || values.Contains(s.Arn)),
                "snapshot-type" => snapshots.Where(s => values.Contains(s.SnapshotType)),
                "engine" => snapshots.Where(s => values.Contains(s.Engine)),
                _ => snapshots.Where(_ => false),
            };
        }

        var (page, marker) = Paginate(p, snapshots.OrderBy(s => s.Identifier, StringComparer.Ordinal));
        return [new XElement("DBClusterSnapshots", page.Select(s => RdsXml.Snapshot(s))), .. marker is null ? [] : new[] { marker }];
    }
}
