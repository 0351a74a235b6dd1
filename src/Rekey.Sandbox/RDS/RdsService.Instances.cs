using System.Xml.Linq;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

public sealed partial class RdsService
{
    private void RegisterInstanceOperations()
    {
        Register("CreateDBInstance", mutating: true, CreateDBInstance);
        Register("DescribeDBInstances", mutating: false, DescribeDBInstances);
        Register("ModifyDBInstance", mutating: true, ModifyDBInstance);
        Register("RebootDBInstance", mutating: true, RebootDBInstance);
        Register("DeleteDBInstance", mutating: true, DeleteDBInstance);
    }

    private IEnumerable<XElement> CreateDBInstance(AwsRequestContext request, QueryParameters p)
    {
        var identifier = ValidIdentifier("DBInstanceIdentifier", p.Required("DBInstanceIdentifier"));
        var instanceClass = p.Required("DBInstanceClass");
        var engine = p.Required("Engine");
        var cluster = ClusterForNewInstance(request, p, identifier, engine);
        var (tier, zone) = RequestedPlacement(request, p, cluster);
        var performanceInsights = p.Bool("EnablePerformanceInsights") ?? false;
        string? insightsKey = null;
        if (performanceInsights)
        {
            insightsKey = p.Get("PerformanceInsightsKMSKeyId") is { } reference
                ? UsableKey(request, reference).Arn
                : Runtime.Keys.AwsManagedKey(request.Account, request.Region, "rds").Arn;
        }

        var monitoringInterval = p.Int("MonitoringInterval") ?? 0;
        if (monitoringInterval > 0 && p.Get("MonitoringRoleArn") is null)
        {
            throw AwsServiceException.InvalidParameterCombination("A MonitoringRoleArn value is required if you specify a MonitoringInterval value other than 0.");
        }

        var instance = new DbInstance
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = identifier,
            ResourceId = RdsState.NewResourceId("db-"),
            ClusterResourceId = cluster.ResourceId,
            DBInstanceClass = instanceClass,
            Engine = engine,
            EngineVersion = cluster.EngineVersion,
            AvailabilityZone = zone,
            PromotionTier = tier,
            DBParameterGroupName = InstanceParameterGroupFor(request, p.Get("DBParameterGroupName"), engine, cluster.EngineVersion),
            MonitoringInterval = monitoringInterval,
            MonitoringRoleArn = p.Get("MonitoringRoleArn"),
            PerformanceInsightsEnabled = performanceInsights,
            PerformanceInsightsKMSKeyId = insightsKey,
            PerformanceInsightsRetentionPeriod = performanceInsights ? p.Int("PerformanceInsightsRetentionPeriod") ?? 7 : null,
            DatabaseInsightsMode = DatabaseInsightsMode(p.Get("DatabaseInsightsMode") ?? "standard"),
            AutoMinorVersionUpgrade = p.Bool("AutoMinorVersionUpgrade") ?? true,
            PubliclyAccessible = p.Bool("PubliclyAccessible") ?? false,
            CACertificateIdentifier = p.Get("CACertificateIdentifier") ?? "rds-ca-rsa2048-g1",
            PreferredMaintenanceWindow = p.Get("PreferredMaintenanceWindow") ?? cluster.PreferredMaintenanceWindow,
            CopyTagsToSnapshot = p.Bool("CopyTagsToSnapshot") ?? false,
            Tags = [.. ReadTags(p)],
            CreateTime = Now,
            Pending = new PendingTransition("create", Now + Durations.InstanceCreate, AsyncOutcome(request, "CreateDBInstance")),
        };
        _state.Instances.Add(instance);
        return [RdsXml.Instance(_state, instance)];
    }

    /// <summary>
    /// The Aurora cluster a new instance joins, checked: the name is free, the engines match, the cluster is available and
    /// its key lets the caller use it through RDS.
    /// </summary>
    private DbCluster ClusterForNewInstance(AwsRequestContext request, QueryParameters p, string identifier, string engine)
    {
        if (p.Get("DBClusterIdentifier") is not { } clusterIdentifier)
        {
            throw AwsServiceException.InvalidParameterValue("The sandbox serves Aurora: DBClusterIdentifier is required for an Aurora DB instance.");
        }

        var cluster = Cluster(request, clusterIdentifier);
        if (_state.FindInstance(request.Account, request.Region, identifier) is not null)
        {
            throw RdsErrors.InstanceAlreadyExists();
        }

        if (engine != cluster.Engine)
        {
            throw AwsServiceException.InvalidParameterCombination(
                $"The engine {engine} of the DB instance does not match the engine {cluster.Engine} of DB cluster {cluster.Identifier}.");
        }

        if (cluster.Status is not ("available" or "modifying" or "renaming"))
        {
            throw RdsErrors.InvalidClusterState(
                $"DB cluster {cluster.Identifier} is not available (it is {cluster.Status}): DB instances can be added only to an available cluster.");
        }

        // The instance's storage is the cluster's: RDS uses the cluster's key for the caller, so a key
        // policy that does not let the caller use it through RDS refuses the instance.
        if (cluster.StorageEncrypted && cluster.KmsKeyId is { } clusterKey &&
            Runtime.Keys.Find(request.Account, request.Region, clusterKey) is { } key && !MayUseThroughRds(request, key))
        {
            throw KeyNotAccessible(clusterKey);
        }

        return cluster;
    }

    /// <summary>The promotion tier (0-15, default 1) and availability zone (default: the cluster's zones in turn) of a new instance.</summary>
    private (int Tier, string Zone) RequestedPlacement(AwsRequestContext request, QueryParameters p, DbCluster cluster)
    {
        var tier = p.Int("PromotionTier") ?? 1;
        if (tier is < 0 or > 15)
        {
            throw AwsServiceException.InvalidParameterValue("PromotionTier must be between 0 and 15.");
        }

        var zone = p.Get("AvailabilityZone") ?? RdsXml.AvailabilityZones(request.Region)[_state.InstancesOf(cluster).Count() % 3];
        if (!RdsXml.AvailabilityZones(request.Region).Contains(zone))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid availability zone {zone} for region {request.Region}.");
        }

        return (tier, zone);
    }

    private static string DatabaseInsightsMode(string mode) => mode is "standard" or "advanced"
        ? mode
        : throw AwsServiceException.InvalidParameterValue($"Invalid DatabaseInsightsMode {mode}: must be standard or advanced.");

    private IEnumerable<XElement> DescribeDBInstances(AwsRequestContext request, QueryParameters p)
    {
        var filters = ReadFilters(p, "db-instance-id", "db-cluster-id", "dbi-resource-id", "engine", "domain");
        IEnumerable<DbInstance> instances = _state.Instances.Where(i => i.Account == request.Account && i.Region == request.Region);
        if (p.Get("DBInstanceIdentifier") is { } identifier)
        {
            instances = [Instance(request, identifier)];
        }

        foreach (var (name, values) in filters)
        {
            instances = name switch
            {
                "db-instance-id" => instances.Where(i => values.Contains(i.Identifier) || values.Contains(i.Arn)),
                "db-cluster-id" => instances.Where(i => _state.ClusterByResourceId(i.ClusterResourceId) is { } c && (values.Contains(c.Identifier) || values.Contains(c.Arn))),
                "dbi-resource-id" => instances.Where(i => values.Contains(i.ResourceId)),
                "engine" => instances.Where(i => values.Contains(i.Engine)),
                _ => instances.Where(_ => false),
            };
        }

        var (page, marker) = Paginate(p, instances.OrderBy(i => i.Identifier, StringComparer.Ordinal));
        return [new XElement("DBInstances", page.Select(i => RdsXml.Instance(_state, i))), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> ModifyDBInstance(AwsRequestContext request, QueryParameters p)
    {
        var instance = Instance(request, p.Required("DBInstanceIdentifier"));
        var applyImmediately = p.Bool("ApplyImmediately") ?? false;
        if (instance.Status != "available")
        {
            throw RdsErrors.InvalidInstanceState($"Database instance is not in available state (it is {instance.Status}).");
        }

        var restart = p.Get("NewDBInstanceIdentifier") is { } requested && RenameInstance(request, instance, requested, applyImmediately);
        if (p.Get("DBInstanceClass") is { } instanceClass && instanceClass != instance.DBInstanceClass)
        {
            if (applyImmediately)
            {
                instance.DBInstanceClass = instanceClass;
                restart = true;
                instance.Status = "modifying";
                instance.Pending = new PendingTransition("modify", Now + Durations.Modify);
            }
            else
            {
                instance.PendingInstanceClass = instanceClass;
            }
        }

        ApplyInstanceSettings(request, instance, p);
        if (restart)
        {
            instance.Incarnation++;
        }

        return [RdsXml.Instance(_state, instance)];
    }

    /// <summary>Renames the instance now (a reboot: true is returned) or at its next maintenance window.</summary>
    private bool RenameInstance(AwsRequestContext request, DbInstance instance, string requested, bool applyImmediately)
    {
        var newIdentifier = ValidIdentifier("NewDBInstanceIdentifier", requested);
        if (_state.FindInstance(request.Account, request.Region, newIdentifier) is not null)
        {
            throw RdsErrors.InstanceAlreadyExists();
        }

        if (!applyImmediately)
        {
            instance.PendingIdentifier = newIdentifier;
            return false;
        }

        // Renaming an instance reboots it; its endpoint follows the new name once DNS catches up.
        var oldIdentifier = instance.Identifier;
        var dnsChange = Now + _state.DnsDelay;
        instance.Identifier = newIdentifier;
        instance.PendingIdentifier = null;
        _state.RetireInstanceName(instance, oldIdentifier, dnsChange);
        _state.PublishInstanceName(instance, dnsChange);
        _state.AddEvent(instance, "db-instance", instance.Arn, $"Renamed DB instance from {oldIdentifier} to {newIdentifier}", "notification");
        instance.Status = "renaming";
        instance.Pending = new PendingTransition("rename", Now + Durations.Rename);
        return true;
    }

    /// <summary>The settings ModifyDBInstance changes without a reboot; each one not given keeps its value.</summary>
    private void ApplyInstanceSettings(AwsRequestContext request, DbInstance instance, QueryParameters p)
    {
        if (p.Int("PromotionTier") is { } tier)
        {
            if (tier is < 0 or > 15)
            {
                throw AwsServiceException.InvalidParameterValue("PromotionTier must be between 0 and 15.");
            }

            instance.PromotionTier = tier;
        }

        if (p.Get("DBParameterGroupName") is { } parameterGroup)
        {
            AssociateInstanceParameterGroup(instance, InstanceParameterGroupFor(request, parameterGroup, instance.Engine, instance.EngineVersion));
        }

        instance.AutoMinorVersionUpgrade = p.Bool("AutoMinorVersionUpgrade") ?? instance.AutoMinorVersionUpgrade;
        instance.PubliclyAccessible = p.Bool("PubliclyAccessible") ?? instance.PubliclyAccessible;
        instance.CACertificateIdentifier = p.Get("CACertificateIdentifier") ?? instance.CACertificateIdentifier;
        instance.PreferredMaintenanceWindow = p.Get("PreferredMaintenanceWindow") ?? instance.PreferredMaintenanceWindow;
        instance.CopyTagsToSnapshot = p.Bool("CopyTagsToSnapshot") ?? instance.CopyTagsToSnapshot;
        instance.MonitoringInterval = p.Int("MonitoringInterval") ?? instance.MonitoringInterval;
        instance.DatabaseInsightsMode = p.Get("DatabaseInsightsMode") is { } mode ? DatabaseInsightsMode(mode) : instance.DatabaseInsightsMode;
        instance.MonitoringRoleArn = p.Get("MonitoringRoleArn") ?? instance.MonitoringRoleArn;
        if (p.Bool("EnablePerformanceInsights") is { } insights)
        {
            instance.PerformanceInsightsEnabled = insights;
            instance.PerformanceInsightsKMSKeyId = !insights ? instance.PerformanceInsightsKMSKeyId
                : p.Get("PerformanceInsightsKMSKeyId") is { } reference ? UsableKey(request, reference).Arn
                : instance.PerformanceInsightsKMSKeyId ?? Runtime.Keys.AwsManagedKey(request.Account, request.Region, "rds").Arn;
            instance.PerformanceInsightsRetentionPeriod = insights ? p.Int("PerformanceInsightsRetentionPeriod") ?? instance.PerformanceInsightsRetentionPeriod ?? 7 : null;
        }
    }

    private IEnumerable<XElement> RebootDBInstance(AwsRequestContext request, QueryParameters p)
    {
        var instance = Instance(request, p.Required("DBInstanceIdentifier"));
        if (instance.Status != "available")
        {
            throw RdsErrors.InvalidInstanceState($"Database instance is not in available state (it is {instance.Status}).");
        }

        if (p.Bool("ForceFailover") == true)
        {
            throw AwsServiceException.InvalidParameterCombination("ForceFailover is not supported for Aurora DB instances; use FailoverDBCluster.");
        }

        instance.Incarnation++;
        instance.Status = "rebooting";
        instance.Pending = new PendingTransition("reboot", Now + Durations.Reboot);
        _state.AddEvent(instance, "db-instance", instance.Arn, "DB instance restarted", "availability");
        return [RdsXml.Instance(_state, instance)];
    }

    private IEnumerable<XElement> DeleteDBInstance(AwsRequestContext request, QueryParameters p)
    {
        var instance = Instance(request, p.Required("DBInstanceIdentifier"));
        if (instance.Status is "deleting" or "creating")
        {
            throw RdsErrors.InvalidInstanceState($"Database instance is {instance.Status}; it can't be deleted now.");
        }

        var cluster = _state.ClusterByResourceId(instance.ClusterResourceId);
        if (cluster is not null && instance.ResourceId == cluster.WriterResourceId)
        {
            // The writer leaves: the highest-priority available reader takes over.
            var next = _state.InstancesOf(cluster)
                .Where(i => i.ResourceId != instance.ResourceId && i.Status == "available")
                .OrderBy(i => i.PromotionTier)
                .FirstOrDefault();
            if (next is not null)
            {
                next.Incarnation++;
            }

            cluster.WriterResourceId = next?.ResourceId;
        }

        instance.Incarnation++;
        _state.RetireInstanceName(instance, instance.Identifier, Now + _state.DnsDelay);
        instance.Status = "deleting";
        instance.Pending = new PendingTransition("delete", Now + Durations.Delete);
        return [RdsXml.Instance(_state, instance)];
    }
}
