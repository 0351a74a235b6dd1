using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// Blue/Green deployments of Aurora clusters: CreateBlueGreenDeployment (with
/// TargetResourceConfigurations as the API reference documents it, also when the caller's model
/// predates it), DescribeBlueGreenDeployments, SwitchoverBlueGreenDeployment and
/// DeleteBlueGreenDeployment. What happens over time is in <see cref="RdsState"/> (RdsState.BlueGreen.cs).
/// </summary>
public sealed partial class RdsService
{
    private static readonly string[] InstanceOnlyTargets =
        ["TargetDBInstanceClass", "TargetStorageType", "TargetIops", "TargetAllocatedStorage", "TargetStorageThroughput", "UpgradeTargetStorageConfig"];

    private void RegisterBlueGreenOperations()
    {
        Register("CreateBlueGreenDeployment", mutating: true, CreateBlueGreenDeployment);
        Register("DescribeBlueGreenDeployments", mutating: false, DescribeBlueGreenDeployments);
        Register("SwitchoverBlueGreenDeployment", mutating: true, SwitchoverBlueGreenDeployment);
        Register("DeleteBlueGreenDeployment", mutating: true, DeleteBlueGreenDeployment);
    }

    private static AwsServiceException DeploymentNotFound(string identifier) =>
        new("BlueGreenDeploymentNotFoundFault", $"BlueGreenDeploymentIdentifier {identifier} doesn't refer to an existing blue/green deployment.", HttpStatusCode.NotFound);

    private static AwsServiceException InvalidDeploymentState(string message) => new("InvalidBlueGreenDeploymentStateFault", message);

    private BlueGreenDeployment Deployment(AwsRequestContext request, string identifier) =>
        _state.BlueGreenDeployments.FirstOrDefault(d => d.Account == request.Account && d.Region == request.Region && string.Equals(d.Identifier, identifier, StringComparison.OrdinalIgnoreCase))
            ?? throw DeploymentNotFound(identifier);

    private IEnumerable<XElement> CreateBlueGreenDeployment(AwsRequestContext request, QueryParameters p)
    {
        var name = p.Required("BlueGreenDeploymentName");
        if (name.Length > 60 || !DeploymentNamePattern().IsMatch(name))
        {
            throw AwsServiceException.InvalidParameterValue($"The blue/green deployment name {name} is not valid: 1 to 60 letters, digits and single hyphens, a letter first, no trailing hyphen.");
        }

        if (InstanceOnlyTargets.FirstOrDefault(p.Has) is { } instanceOnly)
        {
            throw AwsServiceException.InvalidParameterCombination($"{instanceOnly} doesn't apply to Amazon Aurora blue/green deployments.");
        }

        var blue = SourceOfDeployment(request, p.Required("Source"));
        var blueInstances = CheckDeploymentSource(request, name, blue);
        var engineVersion = p.Get("TargetEngineVersion") ?? blue.EngineVersion;
        EngineDefaults(blue.Engine, engineVersion);
        var clusterParameterGroup = p.Get("TargetDBClusterParameterGroupName") is { } requestedGroup
            ? ClusterParameterGroupFor(request, requestedGroup, blue.Engine, engineVersion)
            : engineVersion == blue.EngineVersion ? blue.DBClusterParameterGroup : ClusterParameterGroupFor(request, null, blue.Engine, engineVersion);
        var instanceParameterGroup = p.Get("TargetDBParameterGroupName") is { } requestedInstanceGroup
            ? InstanceParameterGroupFor(request, requestedInstanceGroup, blue.Engine, engineVersion)
            : null;
        var targetKeyArn = TargetKey(request, p, blue);
        var tags = ReadTags(p).ToList();

        var suffix = "-green-" + RandomText.LowerAlphanumeric(6);
        var green = GreenCluster(blue, suffix, engineVersion, clusterParameterGroup, targetKeyArn);
        _state.Clusters.Add(green);
        var members = GreenInstances(blue, blueInstances, green, suffix, engineVersion, instanceParameterGroup);
        var deployment = new BlueGreenDeployment
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = "bgd-" + RandomText.LowerAlphanumeric(16),
            Name = name,
            SourceClusterResourceId = blue.ResourceId,
            TargetClusterResourceId = green.ResourceId,
            Members = members,
            Tasks = ProvisioningTasks(blue, blueInstances.Count, engineVersion != blue.EngineVersion),
            CreateTime = Now,
            Tags = tags,
            Ineligibility = Ineligibility(request, blue),
            ProvisioningOutcome = AsyncOutcome(request, "CreateBlueGreenDeployment"),
        };
        _state.BlueGreenDeployments.Add(deployment);
        return [DeploymentXml(deployment)];
    }

    /// <summary>A green instance for each of blue's (green's writer copies blue's); returns the deployment's members, the clusters first.</summary>
    private List<BlueGreenMember> GreenInstances(DbCluster blue, List<DbInstance> blueInstances, DbCluster green, string suffix, string engineVersion, string? parameterGroup)
    {
        var members = new List<BlueGreenMember>
        {
            new() { Kind = "cluster", SourceResourceId = blue.ResourceId, TargetResourceId = green.ResourceId, SourceArn = blue.Arn, TargetArn = green.Arn },
        };
        foreach (var instance in blueInstances)
        {
            var copy = GreenInstance(instance, green, suffix, engineVersion, parameterGroup);
            _state.Instances.Add(copy);
            if (instance.ResourceId == blue.WriterResourceId)
            {
                green.WriterResourceId = copy.ResourceId;
            }

            members.Add(new() { Kind = "instance", SourceResourceId = instance.ResourceId, TargetResourceId = copy.ResourceId, SourceArn = instance.Arn, TargetArn = copy.Arn });
        }

        return members;
    }

    /// <summary>The refusals CreateBlueGreenDeployment answers at once about its name and source; returns the source's instances.</summary>
    private List<DbInstance> CheckDeploymentSource(AwsRequestContext request, string name, DbCluster blue)
    {
        var existing = _state.BlueGreenDeployments.Where(d => d.Account == request.Account && d.Region == request.Region).ToList();
        if (existing.Any(d => d.Name == name))
        {
            throw new AwsServiceException("BlueGreenDeploymentAlreadyExistsFault", $"A blue/green deployment named {name} already exists.");
        }

        if (_state.DeploymentOf(blue) is { } other)
        {
            throw new AwsServiceException("BlueGreenDeploymentAlreadyExistsFault", $"DB cluster {blue.Identifier} is already part of blue/green deployment {other.Identifier}.");
        }

        if (blue.ManageMasterUserPassword)
        {
            throw new AwsServiceException(
                "SourceClusterNotSupportedFault",
                $"DB cluster {blue.Identifier} manages its master user password in AWS Secrets Manager, which blue/green deployments don't support.");
        }

        if (blue.EngineMode != "provisioned")
        {
            throw new AwsServiceException(
                "SourceClusterNotSupportedFault",
                $"DB cluster {blue.Identifier} uses engine mode {blue.EngineMode}; blue/green deployments support provisioned clusters only.");
        }

        if (blue.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {blue.Identifier} is not available (it is {blue.Status}).");
        }

        var blueInstances = _state.InstancesOf(blue).ToList();
        if (blueInstances.Count == 0 || blueInstances.Any(i => i.Status != "available"))
        {
            throw RdsErrors.InvalidClusterState($"Every DB instance of DB cluster {blue.Identifier} must be available, and it must have at least one.");
        }

        return blueInstances;
    }

    /// <summary>Source: an Aurora DB cluster ARN of the caller's account and Region.</summary>
    private DbCluster SourceOfDeployment(AwsRequestContext request, string source)
    {
        var parts = source.Split(':');
        if (parts.Length != 7 || parts[0] != "arn" || parts[2] != "rds")
        {
            throw AwsServiceException.InvalidParameterValue($"The source {source} is not the ARN of a DB cluster or DB instance.");
        }

        if (parts[5] == "db")
        {
            var instance = _state.FindInstance(request.Account, request.Region, source) ?? throw RdsErrors.InstanceNotFound(parts[6]);
            throw new AwsServiceException("SourceDatabaseNotSupportedFault", $"DB instance {instance.Identifier} is an Aurora DB instance: use the ARN of its DB cluster as the source.");
        }

        if (parts[5] != "cluster")
        {
            throw AwsServiceException.InvalidParameterValue($"The source {source} is not the ARN of a DB cluster or DB instance.");
        }

        return _state.FindCluster(request.Account, request.Region, source) ?? throw RdsErrors.ClusterNotFound(parts[6]);
    }

    /// <summary>TargetResourceConfigurations: for Aurora one entry, the blue cluster's ARN, with the green key (it also encrypts an unencrypted blue).</summary>
    private string? TargetKey(AwsRequestContext request, QueryParameters p, DbCluster blue)
    {
        var configurations = p.Structures("TargetResourceConfigurations");
        string? keyArn = blue.KmsKeyId;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var configuration in configurations)
        {
            var sourceArn = configuration.Required("SourceArn");
            if (!seen.Add(sourceArn))
            {
                throw AwsServiceException.InvalidParameterCombination($"TargetResourceConfigurations names {sourceArn} more than once.");
            }

            if (sourceArn != blue.Arn)
            {
                throw AwsServiceException.InvalidParameterCombination(
                    $"TargetResourceConfiguration SourceArn {sourceArn} is not the source DB cluster {blue.Arn}: for Aurora, configure the DB cluster (its DB instances follow).");
            }

            if (configuration.Get("TargetKmsKeyId") is { } key)
            {
                keyArn = UsableKey(request, key).Arn;
            }
        }

        return keyArn;
    }

    /// <summary>Why AWS would fail to build green from this source (found out after the deployment is created: INVALID_CONFIGURATION).</summary>
    private string? Ineligibility(AwsRequestContext request, DbCluster blue)
    {
        var group = FindParameterGroup(request.Account, request.Region, ParameterGroup.ClusterKind, blue.DBClusterParameterGroup);
        string Value(string parameter) =>
            group?.UserValues.GetValueOrDefault(parameter)?.Value
            ?? ParameterCatalog.For(ParameterCatalog.FamilyOf(blue.Engine, blue.EngineVersion), ParameterGroup.ClusterKind).FirstOrDefault(d => d.Name == parameter)?.DefaultValue
            ?? string.Empty;

        if (blue.Engine == "aurora-mysql" && Value("binlog_format").ToUpperInvariant() is not ("ROW" or "MIXED" or "STATEMENT"))
        {
            return $"binary logging is off: the DB cluster parameter group {blue.DBClusterParameterGroup} must set binlog_format (ROW is recommended)";
        }

        if (blue.Engine == "aurora-postgresql" && Value("rds.logical_replication") != "1")
        {
            return $"logical replication is off: the DB cluster parameter group {blue.DBClusterParameterGroup} must set rds.logical_replication to 1";
        }

        return _state.WriterOf(blue) is { ClusterParameterGroupStatus: not "in-sync" } writer
            ? $"the writer DB instance {writer.Identifier} is not in sync with the DB cluster parameter group (reboot it)"
            : null;
    }

    private List<BlueGreenTask> ProvisioningTasks(DbCluster blue, int instances, bool upgrade)
    {
        // The hostile reading: a green on another key is a full copy (a full-copy restore plus
        // the data volume), its instances are created one after the other.
        var copy = Durations.Restore + (BlueGreenTimings.CopyPerThousandWrites * (blue.Writes.Count / 1000.0));
        var steps = new List<(string Name, TimeSpan Duration)> { ("CREATING_READ_REPLICA_OF_SOURCE", copy) };
        if (upgrade)
        {
            steps.Add(("DB_ENGINE_VERSION_UPGRADE", Durations.InstanceCreate));
        }

        steps.Add(("CONFIGURE_BACKUPS", BlueGreenTimings.ConfigureBackups));
        steps.Add(("CREATING_TOPOLOGY_OF_SOURCE", Durations.InstanceCreate * instances));
        var tasks = new List<BlueGreenTask>();
        var at = Now;
        foreach (var (name, duration) in steps)
        {
            tasks.Add(new BlueGreenTask { Name = name, StartsAt = at, EndsAt = at + duration, Status = at == Now ? "IN_PROGRESS" : "PENDING" });
            at += duration;
        }

        return tasks;
    }

    private static string GreenName(string identifier, string suffix) =>
        (identifier.Length + suffix.Length > 63 ? identifier[..(63 - suffix.Length)].TrimEnd('-') : identifier) + suffix;

    /// <summary>Green: a copy of blue's settings and tags, on the target key; no backtrack (AWS documents green has none).</summary>
    private DbCluster GreenCluster(DbCluster blue, string suffix, string engineVersion, string parameterGroup, string? keyArn) => new()
    {
        Account = blue.Account,
        Region = blue.Region,
        Identifier = GreenName(blue.Identifier, suffix),
        ResourceId = RdsState.NewResourceId("cluster-"),
        Engine = blue.Engine,
        EngineVersion = engineVersion,
        EngineMode = blue.EngineMode,
        DatabaseName = blue.DatabaseName,
        MasterUsername = blue.MasterUsername,
        Port = blue.Port,
        DBClusterParameterGroup = parameterGroup,
        DBSubnetGroup = blue.DBSubnetGroup,
        VpcSecurityGroupIds = [.. blue.VpcSecurityGroupIds],
        // TargetKmsKeyId encrypts an unencrypted blue; without it green keeps blue's encryption (an AWS owned key included).
        StorageEncrypted = blue.StorageEncrypted || keyArn is not null,
        KmsKeyId = keyArn,
        BackupRetentionPeriod = blue.BackupRetentionPeriod,
        PreferredBackupWindow = blue.PreferredBackupWindow,
        PreferredMaintenanceWindow = blue.PreferredMaintenanceWindow,
        IAMDatabaseAuthenticationEnabled = blue.IAMDatabaseAuthenticationEnabled,
        DeletionProtection = blue.DeletionProtection,
        CopyTagsToSnapshot = blue.CopyTagsToSnapshot,
        EnabledCloudwatchLogsExports = [.. blue.EnabledCloudwatchLogsExports],
        ServerlessV2MinCapacity = blue.ServerlessV2MinCapacity,
        ServerlessV2MaxCapacity = blue.ServerlessV2MaxCapacity,
        StorageType = blue.StorageType,
        NetworkType = blue.NetworkType,
        EngineLifecycleSupport = blue.EngineLifecycleSupport,
        HttpEndpointEnabled = blue.HttpEndpointEnabled,
        Roles = [.. blue.Roles],
        Tags = [.. blue.Tags],
        CreateTime = Now,
        Status = "creating",
    };

    private DbInstance GreenInstance(DbInstance blue, DbCluster green, string suffix, string engineVersion, string? parameterGroup) => new()
    {
        Account = blue.Account,
        Region = blue.Region,
        Identifier = GreenName(blue.Identifier, suffix),
        ResourceId = RdsState.NewResourceId("db-"),
        ClusterResourceId = green.ResourceId,
        DBInstanceClass = blue.DBInstanceClass,
        Engine = blue.Engine,
        EngineVersion = engineVersion,
        AvailabilityZone = blue.AvailabilityZone,
        PromotionTier = blue.PromotionTier,
        DBParameterGroupName = parameterGroup
            ?? (engineVersion == blue.EngineVersion ? blue.DBParameterGroupName : ParameterCatalog.DefaultName(ParameterCatalog.FamilyOf(blue.Engine, engineVersion))),
        MonitoringInterval = blue.MonitoringInterval,
        MonitoringRoleArn = blue.MonitoringRoleArn,
        PerformanceInsightsEnabled = blue.PerformanceInsightsEnabled,
        PerformanceInsightsKMSKeyId = blue.PerformanceInsightsKMSKeyId,
        PerformanceInsightsRetentionPeriod = blue.PerformanceInsightsRetentionPeriod,
        DatabaseInsightsMode = blue.DatabaseInsightsMode,
        AutoMinorVersionUpgrade = blue.AutoMinorVersionUpgrade,
        PubliclyAccessible = blue.PubliclyAccessible,
        CACertificateIdentifier = blue.CACertificateIdentifier,
        PreferredMaintenanceWindow = blue.PreferredMaintenanceWindow,
        CopyTagsToSnapshot = blue.CopyTagsToSnapshot,
        Tags = [.. blue.Tags],
        CreateTime = Now,
        Status = "creating",
    };

    private IEnumerable<XElement> DescribeBlueGreenDeployments(AwsRequestContext request, QueryParameters p)
    {
        var filters = ReadFilters(p, "blue-green-deployment-identifier", "blue-green-deployment-name", "source", "target");
        IEnumerable<BlueGreenDeployment> deployments = _state.BlueGreenDeployments.Where(d => d.Account == request.Account && d.Region == request.Region);
        if (p.Get("BlueGreenDeploymentIdentifier") is { } identifier)
        {
            deployments = [Deployment(request, identifier)];
        }

        foreach (var (filter, values) in filters)
        {
            deployments = filter switch
            {
                "blue-green-deployment-identifier" => deployments.Where(d => values.Contains(d.Identifier, StringComparer.OrdinalIgnoreCase)),
                "blue-green-deployment-name" => deployments.Where(d => values.Contains(d.Name)),
                "source" => deployments.Where(d => values.Contains(SourceArn(d))),
                _ => deployments.Where(d => values.Contains(TargetArn(d))),
            };
        }

        var (page, marker) = Paginate(p, deployments.OrderBy(d => d.CreateTime).ThenBy(d => d.Identifier, StringComparer.Ordinal));
        return [new XElement("BlueGreenDeployments", page.Select(d => DeploymentXml(d, "member"))), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> SwitchoverBlueGreenDeployment(AwsRequestContext request, QueryParameters p)
    {
        var deployment = Deployment(request, p.Required("BlueGreenDeploymentIdentifier"));
        var timeout = p.Int("SwitchoverTimeout") ?? BlueGreenTimings.DefaultSwitchoverTimeout;
        if (timeout is < 30 or > 3600)
        {
            throw AwsServiceException.InvalidParameterValue($"SwitchoverTimeout {timeout} is not valid: specify 30 to 3600 seconds.");
        }

        if (deployment.Status is not (BlueGreenStatus.Available or BlueGreenStatus.SwitchoverFailed))
        {
            throw InvalidDeploymentState($"Blue/green deployment {deployment.Identifier} can't be switched over while it is {deployment.Status}.");
        }

        var blue = _state.ClusterByResourceId(deployment.SourceClusterResourceId);
        var green = _state.ClusterByResourceId(deployment.TargetClusterResourceId);
        var missing = deployment.Members.FirstOrDefault(m => MemberStatus(m, deployment) is BlueGreenStatus.MissingSource or BlueGreenStatus.MissingTarget);
        if (blue is null || green is null || missing is not null)
        {
            throw InvalidDeploymentState($"Blue/green deployment {deployment.Identifier} can't be switched over: {(missing is null ? "a DB cluster" : missing.Kind)} of it no longer exists.");
        }

        deployment.Status = BlueGreenStatus.SwitchoverInProgress;
        deployment.StatusDetails = null;
        deployment.SwitchoverRequestedAt = Now;
        deployment.SwitchoverTimeout = timeout;
        deployment.WritesBlockedFrom = null;
        deployment.SwitchoverCompletesAt = null;
        deployment.SwitchoverOutcome = AsyncOutcome(request, "SwitchoverBlueGreenDeployment");
        _state.SetMemberStatus(deployment, BlueGreenStatus.SwitchoverInProgress);
        _state.AddBlueGreenEvent(deployment, "RDS-EVENT-0247", "Switchover started on blue/green deployment.", Now, "notification");
        _state.Events.Add(new RdsEvent(
            blue.Account,
            blue.Region,
            blue.Identifier,
            "db-cluster",
            $"Switchover from DB cluster {blue.Identifier} to {green.Identifier} started.",
            ["notification"],
            Now,
            blue.Arn,
            "RDS-EVENT-0250"));
        return [DeploymentXml(deployment)];
    }

    private IEnumerable<XElement> DeleteBlueGreenDeployment(AwsRequestContext request, QueryParameters p)
    {
        var deployment = Deployment(request, p.Required("BlueGreenDeploymentIdentifier"));
        var deleteTarget = p.Bool("DeleteTarget") ?? false;
        if (deployment.Status is BlueGreenStatus.SwitchoverInProgress or BlueGreenStatus.Deleting)
        {
            throw InvalidDeploymentState($"Blue/green deployment {deployment.Identifier} can't be deleted while it is {deployment.Status}.");
        }

        if (deleteTarget && deployment.Status == BlueGreenStatus.SwitchoverCompleted)
        {
            throw InvalidDeploymentState($"Blue/green deployment {deployment.Identifier} is SWITCHOVER_COMPLETED: you can't specify DeleteTarget, the green environment is now production.");
        }

        var green = _state.ClusterByResourceId(deployment.TargetClusterResourceId);
        var delay = Durations.Delete;
        if (deleteTarget && green is not null)
        {
            if (green.DeletionProtection)
            {
                throw InvalidDeploymentState($"The green DB cluster {green.Identifier} has deletion protection turned on; turn it off before deleting the deployment with its target.");
            }

            var dnsChange = Now + _state.DnsDelay;
            foreach (var instance in _state.InstancesOf(green))
            {
                _state.RetireInstanceName(instance, instance.Identifier, dnsChange);
                instance.Status = "deleting";
                instance.Pending = new PendingTransition("delete", Now + Durations.Delete);
            }

            _state.RetireClusterNames(green, green.Identifier, dnsChange);
            green.Status = "deleting";
            green.Pending = new PendingTransition("delete", Now + Durations.Delete + TimeSpan.FromSeconds(1));
            delay += TimeSpan.FromSeconds(1);
        }
        else if (green is not null && deployment.Status != BlueGreenStatus.SwitchoverCompleted)
        {
            // A green left behind stops replicating and stays read only until its writer reboots (the hostile reading).
            green.ReadOnlyUntilWriterReboot = true;
        }

        _state.RefreshMemberArns(deployment);
        deployment.Status = BlueGreenStatus.Deleting;
        deployment.DeleteTime = Now;
        deployment.DeletedAt = Now + delay;
        return [DeploymentXml(deployment)];
    }

    // ---- XML ---------------------------------------------------------------------------------------

    private string SourceArn(BlueGreenDeployment d) => _state.ArnOf("cluster", d.SourceClusterResourceId) ?? d.Members[0].SourceArn;

    private string TargetArn(BlueGreenDeployment d) => _state.ArnOf("cluster", d.TargetClusterResourceId) ?? d.Members[0].TargetArn;

    private string MemberStatus(BlueGreenMember member, BlueGreenDeployment deployment)
    {
        if (deployment.Status == BlueGreenStatus.SwitchoverCompleted || deployment.Status == BlueGreenStatus.Deleting)
        {
            return member.Status;
        }

        if (_state.ArnOf(member.Kind, member.SourceResourceId) is null)
        {
            return BlueGreenStatus.MissingSource;
        }

        return _state.ArnOf(member.Kind, member.TargetResourceId) is null ? BlueGreenStatus.MissingTarget : member.Status;
    }

    private XElement DeploymentXml(BlueGreenDeployment d, string name = "BlueGreenDeployment") => new(
        name,
        new XElement("BlueGreenDeploymentIdentifier", d.Identifier),
        new XElement("BlueGreenDeploymentName", d.Name),
        new XElement("Source", SourceArn(d)),
        new XElement("Target", TargetArn(d)),
        List("SwitchoverDetails", "member", d.Members, m => new object[]
        {
            new XElement("SourceMember", _state.ArnOf(m.Kind, m.SourceResourceId) ?? m.SourceArn),
            new XElement("TargetMember", _state.ArnOf(m.Kind, m.TargetResourceId) ?? m.TargetArn),
            new XElement("Status", MemberStatus(m, d)),
        }),
        List("Tasks", "member", d.Tasks, t => new object[] { new XElement("Name", t.Name), new XElement("Status", t.Status) }),
        new XElement("Status", d.Status),
        Optional("StatusDetails", d.StatusDetails),
        new XElement("CreateTime", Timestamp(d.CreateTime)),
        Optional("DeleteTime", d.DeleteTime),
        RdsXml.Tags(d.Tags));

    [GeneratedRegex("^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$")]
    private static partial Regex DeploymentNamePattern();
}
