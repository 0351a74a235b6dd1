using System.Xml.Linq;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

public sealed partial class RdsService
{
    private void RegisterClusterOperations()
    {
        Register("CreateDBCluster", mutating: true, CreateDBCluster);
        Register("DescribeDBClusters", mutating: false, DescribeDBClusters);
        Register("ModifyDBCluster", mutating: true, ModifyDBCluster);
        Register("RestoreDBClusterToPointInTime", mutating: true, RestoreDBClusterToPointInTime);
        Register("DeleteDBCluster", mutating: true, DeleteDBCluster);
        Register("FailoverDBCluster", mutating: true, FailoverDBCluster);
    }

    private IEnumerable<XElement> CreateDBCluster(AwsRequestContext request, QueryParameters p)
    {
        var identifier = ValidIdentifier("DBClusterIdentifier", p.Required("DBClusterIdentifier"));
        var engine = p.Required("Engine");
        var defaults = EngineDefaults(engine, p.Get("EngineVersion"));
        if (_state.FindCluster(request.Account, request.Region, identifier) is not null)
        {
            throw RdsErrors.ClusterAlreadyExists();
        }

        var manageSecret = ValidateMasterUser(p);
        var (encrypted, keyArn) = RequestedEncryption(request, p);
        if (p.Get("GlobalClusterIdentifier") is { } global && !_state.GlobalClusters.Any(g => g.Account == request.Account && g.Identifier == global))
        {
            throw new AwsServiceException("GlobalClusterNotFoundFault", $"Global cluster {global} not found.", System.Net.HttpStatusCode.NotFound);
        }

        var cluster = new DbCluster
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = identifier,
            ResourceId = RdsState.NewResourceId("cluster-"),
            Engine = engine,
            EngineVersion = defaults.Version,
            DatabaseName = p.Get("DatabaseName"),
            MasterUsername = p.Get("MasterUsername"),
            ManageMasterUserPassword = manageSecret,
            CreateTime = Now,
            DBClusterParameterGroup = ClusterParameterGroupFor(request, p.Get("DBClusterParameterGroupName"), engine, defaults.Version),
            StorageEncrypted = encrypted,
            KmsKeyId = keyArn,
            GlobalClusterIdentifier = p.Get("GlobalClusterIdentifier"),
            HttpEndpointEnabled = p.Bool("EnableHttpEndpoint") ?? false,
            Pending = new PendingTransition("create", Now + Durations.ClusterCreate, AsyncOutcome(request, "CreateDBCluster")),
        };
        ApplyRequestedSettings(request, cluster, p, defaults.Port);
        _state.Clusters.Add(cluster);
        return [RdsXml.Cluster(_state, cluster)];
    }

    /// <summary>A master user name, and either a password or a secret RDS manages (whether it does is returned).</summary>
    private static bool ValidateMasterUser(QueryParameters p)
    {
        if (string.IsNullOrEmpty(p.Get("MasterUsername")))
        {
            throw AwsServiceException.InvalidParameterValue("The parameter MasterUsername must be provided and must not be blank.");
        }

        var manageSecret = p.Bool("ManageMasterUserPassword") ?? false;
        if (manageSecret == p.Has("MasterUserPassword"))
        {
            throw manageSecret
                ? AwsServiceException.InvalidParameterCombination("You can't specify MasterUserPassword and ManageMasterUserPassword together.")
                : AwsServiceException.InvalidParameterValue("The parameter MasterUserPassword must be provided and must not be blank.");
        }

        return manageSecret;
    }

    /// <summary>Whether a new cluster is encrypted and with which key: the one named, aws/rds, or (since 2026-02-18) an AWS owned key.</summary>
    private (bool Encrypted, string? KeyArn) RequestedEncryption(AwsRequestContext request, QueryParameters p)
    {
        var encrypted = p.Bool("StorageEncrypted");
        if (p.Get("KmsKeyId") is { } keyReference)
        {
            if (encrypted == false)
            {
                throw AwsServiceException.InvalidParameterCombination("KmsKeyId can only be specified when StorageEncrypted is true.");
            }

            return (true, UsableKey(request, keyReference).Arn);
        }

        if (encrypted == true)
        {
            // "If the StorageEncrypted parameter is enabled ... Amazon RDS uses your default KMS key"
            // (botocore's CreateDBCluster KmsKeyId): the account's aws/rds.
            return (true, Runtime.Keys.AwsManagedKey(request.Account, request.Region, "rds").Arn);
        }

        // Neither a key nor StorageEncrypted: since 2026-02-18 an AWS owned key (sse-rds), which
        // names no KmsKeyId; before that date such a cluster was unencrypted.
        return (encrypted is null && Now >= RdsState.AwsOwnedKeyDefaultSince, null);
    }

    /// <summary>The settings CreateDBCluster and RestoreDBClusterToPointInTime both carry; defaults otherwise.</summary>
    private static void ApplyRequestedSettings(AwsRequestContext request, DbCluster cluster, QueryParameters p, int defaultPort)
    {
        cluster.Port = p.Int("Port") ?? defaultPort;
        cluster.DBSubnetGroup = p.Get("DBSubnetGroupName") ?? "default";
        var groups = p.List("VpcSecurityGroupIds");
        cluster.VpcSecurityGroupIds = groups.Count > 0 ? [.. groups] : [RdsState.DefaultSecurityGroup(request.Account, request.Region)];
        cluster.BackupRetentionPeriod = p.Int("BackupRetentionPeriod") ?? 1;
        if (cluster.BackupRetentionPeriod is < 1 or > 35)
        {
            throw AwsServiceException.InvalidParameterValue("The backup retention period must be between 1 and 35 days.");
        }

        cluster.PreferredBackupWindow = p.Get("PreferredBackupWindow") ?? cluster.PreferredBackupWindow;
        cluster.PreferredMaintenanceWindow = p.Get("PreferredMaintenanceWindow") ?? cluster.PreferredMaintenanceWindow;
        cluster.IAMDatabaseAuthenticationEnabled = p.Bool("EnableIAMDatabaseAuthentication") ?? false;
        cluster.DeletionProtection = p.Bool("DeletionProtection") ?? false;
        cluster.CopyTagsToSnapshot = p.Bool("CopyTagsToSnapshot") ?? false;
        cluster.BacktrackWindow = p.Int("BacktrackWindow");
        cluster.EnabledCloudwatchLogsExports = [.. p.List("EnableCloudwatchLogsExports")];
        if (p.Structure("ServerlessV2ScalingConfiguration") is { } scaling)
        {
            cluster.ServerlessV2MinCapacity = scaling.Double("MinCapacity");
            cluster.ServerlessV2MaxCapacity = scaling.Double("MaxCapacity");
        }

        cluster.StorageType = p.Get("StorageType") ?? "aurora";
        cluster.NetworkType = p.Get("NetworkType") ?? "IPV4";
        cluster.EngineLifecycleSupport = p.Get("EngineLifecycleSupport");
        cluster.Tags = [.. ReadTags(p)];
    }

    private IEnumerable<XElement> DescribeDBClusters(AwsRequestContext request, QueryParameters p)
    {
        var filters = ReadFilters(p, "db-cluster-id", "db-cluster-resource-id", "engine", "clone-group-id", "domain");
        IEnumerable<DbCluster> clusters = _state.Clusters.Where(c => c.Account == request.Account && c.Region == request.Region);
        if (p.Get("DBClusterIdentifier") is { } identifier)
        {
            clusters = [Cluster(request, identifier)];
        }

        foreach (var (name, values) in filters)
        {
            clusters = name switch
            {
                "db-cluster-id" => clusters.Where(c => values.Contains(c.Identifier) || values.Contains(c.Arn)),
                "db-cluster-resource-id" => clusters.Where(c => values.Contains(c.ResourceId)),
                "engine" => clusters.Where(c => values.Contains(c.Engine)),
                _ => clusters.Where(_ => false),
            };
        }

        var (page, marker) = Paginate(p, clusters.OrderBy(c => c.Identifier, StringComparer.Ordinal));
        return [new XElement("DBClusters", page.Select(c => RdsXml.Cluster(_state, c))), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> ModifyDBCluster(AwsRequestContext request, QueryParameters p)
    {
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        var applyImmediately = p.Bool("ApplyImmediately") ?? false;
        if (cluster.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is not in the available state (it is {cluster.Status}).");
        }

        if (p.Get("NewDBClusterIdentifier") is { } requested)
        {
            var newIdentifier = ValidIdentifier("NewDBClusterIdentifier", requested);
            if (_state.FindCluster(request.Account, request.Region, newIdentifier) is not null)
            {
                throw RdsErrors.ClusterAlreadyExists();
            }

            if (_state.GlobalClusters.Any(g => g.MemberResourceIds.Contains(cluster.ResourceId)))
            {
                throw RdsErrors.InvalidClusterState("A DB cluster that is a member of a global cluster can't be renamed.");
            }

            RefuseRenameWithIntegrations(cluster);

            if (applyImmediately)
            {
                Rename(cluster, newIdentifier);
            }
            else
            {
                // Applied in the next maintenance window, which the sandbox does not run.
                cluster.PendingIdentifier = newIdentifier;
            }
        }

        if (p.Get("DBClusterParameterGroupName") is { } parameterGroup)
        {
            AssociateClusterParameterGroup(cluster, ClusterParameterGroupFor(request, parameterGroup, cluster.Engine, cluster.EngineVersion));
        }

        ApplyModifications(cluster, p);
        return [RdsXml.Cluster(_state, cluster)];
    }

    private void Rename(DbCluster cluster, string newIdentifier)
    {
        var oldIdentifier = cluster.Identifier;
        var dnsChange = Now + _state.DnsDelay;
        cluster.Identifier = newIdentifier;
        cluster.PendingIdentifier = null;
        cluster.Status = "renaming";
        cluster.Pending = new PendingTransition("rename", Now + Durations.Rename);

        // The cluster and reader names follow the new identifier once DNS catches up; custom
        // endpoint and instance names do not contain the cluster name and stay.
        _state.RetireClusterNames(cluster, oldIdentifier, dnsChange);
        _state.PublishClusterNames(cluster, dnsChange);
        _state.AddEvent(cluster, "db-cluster", cluster.Arn, $"Renamed DB cluster from {oldIdentifier} to {newIdentifier}", "notification");
    }

    private void ApplyModifications(DbCluster cluster, QueryParameters p)
    {
        if (p.Int("BackupRetentionPeriod") is { } retention)
        {
            if (retention is < 1 or > 35)
            {
                throw AwsServiceException.InvalidParameterValue("The backup retention period must be between 1 and 35 days.");
            }

            cluster.BackupRetentionPeriod = retention;
        }

        cluster.PreferredBackupWindow = p.Get("PreferredBackupWindow") ?? cluster.PreferredBackupWindow;
        cluster.PreferredMaintenanceWindow = p.Get("PreferredMaintenanceWindow") ?? cluster.PreferredMaintenanceWindow;
        cluster.Port = p.Int("Port") ?? cluster.Port;
        cluster.DeletionProtection = p.Bool("DeletionProtection") ?? cluster.DeletionProtection;
        cluster.CopyTagsToSnapshot = p.Bool("CopyTagsToSnapshot") ?? cluster.CopyTagsToSnapshot;
        cluster.IAMDatabaseAuthenticationEnabled = p.Bool("EnableIAMDatabaseAuthentication") ?? cluster.IAMDatabaseAuthenticationEnabled;
        cluster.LocalWriteForwarding = p.Bool("EnableLocalWriteForwarding") ?? cluster.LocalWriteForwarding;
        cluster.HttpEndpointEnabled = p.Bool("EnableHttpEndpoint") ?? cluster.HttpEndpointEnabled;
        cluster.ManageMasterUserPassword = p.Bool("ManageMasterUserPassword") ?? cluster.ManageMasterUserPassword;
        if (p.Get("BacktrackWindow") is not null)
        {
            cluster.BacktrackWindow = p.Int("BacktrackWindow");
        }

        var groups = p.List("VpcSecurityGroupIds");
        if (groups.Count > 0)
        {
            cluster.VpcSecurityGroupIds = [.. groups];
        }

        if (p.Structure("CloudwatchLogsExportConfiguration") is { } logs)
        {
            cluster.EnabledCloudwatchLogsExports = [.. cluster.EnabledCloudwatchLogsExports.Union(logs.List("EnableLogTypes")).Except(logs.List("DisableLogTypes"))];
        }

        if (p.Structure("ServerlessV2ScalingConfiguration") is { } scaling)
        {
            cluster.ServerlessV2MinCapacity = scaling.Double("MinCapacity") ?? cluster.ServerlessV2MinCapacity;
            cluster.ServerlessV2MaxCapacity = scaling.Double("MaxCapacity") ?? cluster.ServerlessV2MaxCapacity;
        }

        cluster.StorageType = p.Get("StorageType") ?? cluster.StorageType;
    }

    private IEnumerable<XElement> DeleteDBCluster(AwsRequestContext request, QueryParameters p)
    {
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        if (cluster.DeletionProtection)
        {
            throw AwsServiceException.InvalidParameterCombination("Cannot delete protected Cluster, please disable deletion protection and try again.");
        }

        if (cluster.Status is "deleting")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is already being deleted.");
        }

        if (_state.InstancesOf(cluster).Any(i => i.Status != "deleting"))
        {
            throw RdsErrors.InvalidClusterState("Cluster cannot be deleted, it still contains DB instances in non-deleting state.");
        }

        var skipFinalSnapshot = p.Bool("SkipFinalSnapshot") ?? false;
        var finalSnapshot = p.Get("FinalDBSnapshotIdentifier");
        if (skipFinalSnapshot && finalSnapshot is not null)
        {
            throw AwsServiceException.InvalidParameterCombination("FinalDBSnapshotIdentifier can't be specified when SkipFinalSnapshot is enabled.");
        }

        if (!skipFinalSnapshot)
        {
            if (finalSnapshot is null)
            {
                throw AwsServiceException.InvalidParameterCombination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
            }

            TakeSnapshot(cluster, ValidIdentifier("FinalDBSnapshotIdentifier", finalSnapshot), []);
        }

        var dnsChange = Now + _state.DnsDelay;
        _state.RetireClusterNames(cluster, cluster.Identifier, dnsChange);
        foreach (var endpoint in _state.CustomEndpointsOf(cluster))
        {
            _state.RetireCustomEndpointName(endpoint, dnsChange);
        }

        FailIntegrationsOf(cluster);
        cluster.Status = "deleting";
        cluster.Pending = new PendingTransition("delete", Now + Durations.Delete);
        return [RdsXml.Cluster(_state, cluster)];
    }

    private ClusterSnapshot TakeSnapshot(DbCluster cluster, string identifier, IEnumerable<RdsTag> tags)
    {
        if (_state.Snapshots.Any(s => s.Account == cluster.Account && s.Region == cluster.Region && s.Identifier == identifier))
        {
            throw RdsErrors.SnapshotAlreadyExists(identifier);
        }

        var snapshot = new ClusterSnapshot
        {
            Account = cluster.Account,
            Region = cluster.Region,
            Identifier = identifier,
            ResourceId = RdsState.NewResourceId("cluster-snapshot-"),
            ClusterIdentifier = cluster.Identifier,
            ClusterResourceId = cluster.ResourceId,
            Engine = cluster.Engine,
            EngineVersion = cluster.EngineVersion,
            MasterUsername = cluster.MasterUsername,
            Port = cluster.Port,
            StorageEncrypted = cluster.StorageEncrypted,
            KmsKeyId = cluster.KmsKeyId,
            ClusterCreateTime = cluster.CreateTime,
            CreateTime = Now,
            Writes = [.. cluster.Writes],
            Tags = [.. cluster.CopyTagsToSnapshot ? cluster.Tags.Concat(tags).DistinctBy(t => t.Key) : tags],
            Pending = new PendingTransition("snapshot", Now + Durations.Snapshot),
        };
        _state.Snapshots.Add(snapshot);
        return snapshot;
    }

    private IEnumerable<XElement> FailoverDBCluster(AwsRequestContext request, QueryParameters p)
    {
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        if (cluster.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is not available (it is {cluster.Status}).");
        }

        var candidates = _state.InstancesOf(cluster).Where(i => i.ResourceId != cluster.WriterResourceId && i.Status == "available").ToList();
        DbInstance target;
        if (p.Get("TargetDBInstanceIdentifier") is { } targetIdentifier)
        {
            var named = Instance(request, targetIdentifier);
            target = candidates.FirstOrDefault(i => i.ResourceId == named.ResourceId)
                ?? throw RdsErrors.InvalidInstanceState($"DB instance {named.Identifier} is not an available reader of DB cluster {cluster.Identifier}.");
        }
        else
        {
            target = candidates.OrderBy(i => i.PromotionTier).FirstOrDefault()
                ?? throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} has no available reader to fail over to.");
        }

        // Both the old and the new writer restart: their connections drop.
        if (_state.WriterOf(cluster) is { } oldWriter)
        {
            oldWriter.Incarnation++;
        }

        target.Incarnation++;
        cluster.WriterResourceId = target.ResourceId;
        cluster.Status = "failing-over";
        cluster.Pending = new PendingTransition("failover", Now + Durations.Failover);
        _state.AddEvent(cluster, "db-cluster", cluster.Arn, $"Started cross AZ failover to DB instance: {target.Identifier}", "failover");
        return [RdsXml.Cluster(_state, cluster)];
    }
}
