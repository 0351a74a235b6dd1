using System.Xml.Linq;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>RDS resources as the 2014-10-31 API's XML shapes (element names from the AWS model).</summary>
internal static class RdsXml
{
    public static XElement Cluster(RdsState state, DbCluster c, string name = "DBCluster") => new(
        name,
        ClusterStatusAndEndpoints(state, c),
        ClusterMembersAndSecurityGroups(state, c),
        ClusterEncryptionAndRoles(c),
        ClusterSettings(c));

    /// <summary>The cluster's identity, status, restorable window and endpoints.</summary>
    private static object?[] ClusterStatusAndEndpoints(RdsState state, DbCluster c)
    {
        var latest = state.LatestRestorableTime(c);
        return
        [
            new XElement("AllocatedStorage", 1),
            List("AvailabilityZones", "AvailabilityZone", AvailabilityZones(c.Region), z => z),
            new XElement("BackupRetentionPeriod", c.BackupRetentionPeriod),
            Optional("DatabaseName", c.DatabaseName),
            new XElement("DBClusterIdentifier", c.Identifier),
            new XElement("DBClusterParameterGroup", c.DBClusterParameterGroup),
            new XElement("DBSubnetGroup", c.DBSubnetGroup),
            new XElement("Status", c.Status),
            Optional("EarliestRestorableTime", c.Status is "creating" or "failed" ? null : c.CreateTime),
            new XElement("Endpoint", RdsState.ClusterEndpointName(c.Account, c.Region, c.Identifier)),
            new XElement("ReaderEndpoint", RdsState.ReaderEndpointName(c.Account, c.Region, c.Identifier)),
            List("CustomEndpoints", "member", state.CustomEndpointsOf(c), e => RdsState.CustomEndpointName(e.Account, e.Region, e.Identifier)),
            new XElement("MultiAZ", Bool(state.InstancesOf(c).Count() > 1)),
            new XElement("Engine", c.Engine),
            new XElement("EngineVersion", c.EngineVersion),
            Optional("LatestRestorableTime", latest),
            new XElement("Port", c.Port),
            Optional("MasterUsername", c.MasterUsername),
            new XElement("PreferredBackupWindow", c.PreferredBackupWindow),
            new XElement("PreferredMaintenanceWindow", c.PreferredMaintenanceWindow),
            List("ReadReplicaIdentifiers", "ReadReplicaIdentifier", Array.Empty<string>(), r => r),
        ];
    }

    /// <summary>The instances of the cluster (which one writes) and its VPC security groups.</summary>
    private static object?[] ClusterMembersAndSecurityGroups(RdsState state, DbCluster c) =>
    [
        List("DBClusterMembers", "DBClusterMember", state.InstancesOf(c).ToList(), i => new object[]
        {
            new XElement("DBInstanceIdentifier", i.Identifier),
            new XElement("IsClusterWriter", Bool(i.ResourceId == c.WriterResourceId)),
            new XElement("DBClusterParameterGroupStatus", i.ClusterParameterGroupStatus),
            new XElement("PromotionTier", i.PromotionTier),
        }),
        List("VpcSecurityGroups", "VpcSecurityGroupMembership", c.VpcSecurityGroupIds, g => new object[]
        {
            new XElement("VpcSecurityGroupId", g),
            new XElement("Status", "active"),
        }),
    ];

    /// <summary>The cluster's hosted zone, encryption, resource ID, ARN and the IAM roles associated with it.</summary>
    private static object?[] ClusterEncryptionAndRoles(DbCluster c) =>
    [
        new XElement("HostedZoneId", RdsState.HostedZoneId(c.Region)),
        new XElement("StorageEncrypted", Bool(c.StorageEncrypted)),
        new XElement("StorageEncryptionType", c.StorageEncryptionType),
        Optional("KmsKeyId", c.KmsKeyId),
        new XElement("DbClusterResourceId", c.ResourceId),
        new XElement("DBClusterArn", c.Arn),
        List("AssociatedRoles", "DBClusterRole", c.Roles, r => new object?[]
        {
            new XElement("RoleArn", r.RoleArn),
            new XElement("Status", r.Status),
            Optional("FeatureName", r.FeatureName),
        }),
    ];

    /// <summary>The cluster's settings: logs, pending changes, storage, protection, tags, network, scaling and the master user's secret.</summary>
    private static object?[] ClusterSettings(DbCluster c)
    {
        var serverless = c.ServerlessV2MinCapacity is null
            ? null
            : new XElement(
                "ServerlessV2ScalingConfiguration",
                Optional("MinCapacity", c.ServerlessV2MinCapacity),
                Optional("MaxCapacity", c.ServerlessV2MaxCapacity));
        var pending = c.PendingIdentifier is null ? null : new XElement("PendingModifiedValues", new XElement("DBClusterIdentifier", c.PendingIdentifier));
        return
        [
            new XElement("IAMDatabaseAuthenticationEnabled", Bool(c.IAMDatabaseAuthenticationEnabled)),
            new XElement("ClusterCreateTime", Timestamp(c.CreateTime)),
            Optional("BacktrackWindow", c.BacktrackWindow),
            List("EnabledCloudwatchLogsExports", "member", c.EnabledCloudwatchLogsExports, l => l),
            pending,
            new XElement("EngineMode", c.EngineMode),
            new XElement("StorageType", c.StorageType),
            new XElement("DeletionProtection", Bool(c.DeletionProtection)),
            new XElement("HttpEndpointEnabled", Bool(c.HttpEndpointEnabled)),
            new XElement("ActivityStreamStatus", "stopped"),
            new XElement("AutoMinorVersionUpgrade", Bool(true)),
            new XElement("DatabaseInsightsMode", "standard"),
            new XElement("ClusterScalabilityType", "standard"),
            new XElement("DBClusterOptionGroupMemberships"),
            new XElement("CopyTagsToSnapshot", Bool(c.CopyTagsToSnapshot)),
            new XElement("CrossAccountClone", Bool(false)),
            List("DomainMemberships", "DomainMembership", Array.Empty<string>(), d => d),
            Tags(c.Tags),
            Optional("GlobalClusterIdentifier", c.GlobalClusterIdentifier),
            new XElement("NetworkType", c.NetworkType),
            serverless,
            new XElement("LocalWriteForwardingStatus", c.LocalWriteForwarding ? "enabled" : "disabled"),
            Optional("EngineLifecycleSupport", c.EngineLifecycleSupport),
            c.ManageMasterUserPassword
                ? new XElement(
                    "MasterUserSecret",
                    new XElement("SecretArn", $"arn:aws:secretsmanager:{c.Region}:{c.Account}:secret:rds!cluster-{c.ResourceId[8..].ToLowerInvariant()}"),
                    new XElement("SecretStatus", "active"))
                : null,
        ];
    }

    public static XElement Instance(RdsState state, DbInstance i, string name = "DBInstance")
    {
        var cluster = state.ClusterByResourceId(i.ClusterResourceId);
        return new XElement(name, InstanceStatusAndEndpoint(i, cluster), InstancePlacementAndGroups(i, cluster), InstanceStorageAndMonitoring(i, cluster));
    }

    /// <summary>The instance's identity, status, endpoint (once created) and backups.</summary>
    private static object?[] InstanceStatusAndEndpoint(DbInstance i, DbCluster? cluster) =>
    [
        new XElement("DBInstanceIdentifier", i.Identifier),
        new XElement("DBInstanceClass", i.DBInstanceClass),
        new XElement("Engine", i.Engine),
        new XElement("DBInstanceStatus", i.Status),
        Optional("MasterUsername", cluster?.MasterUsername),
        Optional("DBName", cluster?.DatabaseName),
        i.Status == "creating"
            ? null
            : new XElement(
                "Endpoint",
                new XElement("Address", RdsState.InstanceEndpointName(i.Account, i.Region, i.Identifier)),
                new XElement("Port", cluster?.Port ?? 0),
                new XElement("HostedZoneId", RdsState.HostedZoneId(i.Region))),
        new XElement("AllocatedStorage", 1),
        new XElement("InstanceCreateTime", Timestamp(i.CreateTime)),
        Optional("PreferredBackupWindow", cluster?.PreferredBackupWindow),
        new XElement("BackupRetentionPeriod", cluster?.BackupRetentionPeriod ?? 1),
    ];

    /// <summary>The instance's security groups, parameter group, zone, subnet group and pending changes.</summary>
    private static object?[] InstancePlacementAndGroups(DbInstance i, DbCluster? cluster) =>
    [
        List("VpcSecurityGroups", "VpcSecurityGroupMembership", cluster?.VpcSecurityGroupIds ?? [], g => new object[]
        {
            new XElement("VpcSecurityGroupId", g),
            new XElement("Status", "active"),
        }),
        new XElement(
            "DBParameterGroups",
            new XElement(
                "DBParameterGroup",
                new XElement("DBParameterGroupName", i.DBParameterGroupName),
                new XElement("ParameterApplyStatus", i.ParameterApplyStatus))),
        new XElement("AvailabilityZone", i.AvailabilityZone),
        new XElement(
            "DBSubnetGroup",
            new XElement("DBSubnetGroupName", cluster?.DBSubnetGroup ?? "default"),
            new XElement("DBSubnetGroupDescription", "default"),
            new XElement("SubnetGroupStatus", "Complete")),
        new XElement("PreferredMaintenanceWindow", i.PreferredMaintenanceWindow),
        new XElement(
            "PendingModifiedValues",
            Optional("DBInstanceIdentifier", i.PendingIdentifier),
            Optional("DBInstanceClass", i.PendingInstanceClass)),
        new XElement("MultiAZ", Bool(false)),
    ];

    /// <summary>The instance's engine, storage and encryption (the cluster's), certificate, monitoring and tags.</summary>
    private static object?[] InstanceStorageAndMonitoring(DbInstance i, DbCluster? cluster) =>
    [
        new XElement("EngineVersion", i.EngineVersion),
        new XElement("AutoMinorVersionUpgrade", Bool(i.AutoMinorVersionUpgrade)),
        new XElement("LicenseModel", i.Engine == "aurora-postgresql" ? "postgresql-license" : "general-public-license"),
        new XElement("PubliclyAccessible", Bool(i.PubliclyAccessible)),
        new XElement("StorageType", cluster?.StorageType ?? "aurora"),
        new XElement("DbInstancePort", 0),
        Optional("DBClusterIdentifier", cluster?.Identifier),
        new XElement("StorageEncrypted", Bool(cluster?.StorageEncrypted ?? false)),
        new XElement("StorageEncryptionType", cluster?.StorageEncryptionType ?? "none"),
        Optional("KmsKeyId", cluster?.KmsKeyId),
        new XElement("DbiResourceId", i.ResourceId),
        new XElement("CACertificateIdentifier", i.CACertificateIdentifier),
        new XElement("CopyTagsToSnapshot", Bool(i.CopyTagsToSnapshot)),
        new XElement("MonitoringInterval", i.MonitoringInterval),
        Optional("MonitoringRoleArn", i.MonitoringRoleArn),
        new XElement("PromotionTier", i.PromotionTier),
        new XElement("DBInstanceArn", i.Arn),
        new XElement("IAMDatabaseAuthenticationEnabled", Bool(cluster?.IAMDatabaseAuthenticationEnabled ?? false)),
        new XElement("DatabaseInsightsMode", i.DatabaseInsightsMode),
        new XElement("PerformanceInsightsEnabled", Bool(i.PerformanceInsightsEnabled)),
        Optional("PerformanceInsightsKMSKeyId", i.PerformanceInsightsKMSKeyId),
        Optional("PerformanceInsightsRetentionPeriod", i.PerformanceInsightsRetentionPeriod),
        new XElement("DeletionProtection", Bool(false)),
        Tags(i.Tags),
        new XElement("NetworkType", cluster?.NetworkType ?? "IPV4"),
    ];

    public static IEnumerable<XElement> CustomEndpointMembers(RdsState state, ClusterEndpoint e)
    {
        var cluster = state.ClusterByResourceId(e.ClusterResourceId);
        return
        [
            new XElement("DBClusterEndpointIdentifier", e.Identifier),
            new XElement("DBClusterIdentifier", cluster?.Identifier ?? string.Empty),
            new XElement("DBClusterEndpointResourceIdentifier", e.ResourceId),
            new XElement("Endpoint", RdsState.CustomEndpointName(e.Account, e.Region, e.Identifier)),
            new XElement("Status", e.Status),
            new XElement("EndpointType", "CUSTOM"),
            new XElement("CustomEndpointType", e.CustomEndpointType),
            List("StaticMembers", "member", e.StaticMembers, m => m),
            List("ExcludedMembers", "member", e.ExcludedMembers, m => m),
            new XElement("DBClusterEndpointArn", e.Arn),
        ];
    }

    /// <summary>The cluster's built-in WRITER and READER endpoints, as DescribeDBClusterEndpoints lists them.</summary>
    public static IEnumerable<XElement> BuiltInEndpoints(DbCluster c) =>
    [
    new XElement(
        "DBClusterEndpointList",
        new XElement("DBClusterIdentifier", c.Identifier),
        new XElement("Endpoint", RdsState.ClusterEndpointName(c.Account, c.Region, c.Identifier)),
        new XElement("Status", c.Status == "available" ? "available" : c.Status),
        new XElement("EndpointType", "WRITER")),
    new XElement(
        "DBClusterEndpointList",
        new XElement("DBClusterIdentifier", c.Identifier),
        new XElement("Endpoint", RdsState.ReaderEndpointName(c.Account, c.Region, c.Identifier)),
        new XElement("Status", c.Status == "available" ? "available" : c.Status),
        new XElement("EndpointType", "READER")),
    ];

    public static XElement Snapshot(ClusterSnapshot s, string name = "DBClusterSnapshot") => new(
        name,
        List("AvailabilityZones", "AvailabilityZone", AvailabilityZones(s.Region), z => z),
        new XElement("DBClusterSnapshotIdentifier", s.Identifier),
        new XElement("DBClusterIdentifier", s.ClusterIdentifier),
        new XElement("SnapshotCreateTime", Timestamp(s.CreateTime)),
        new XElement("Engine", s.Engine),
        new XElement("EngineMode", "provisioned"),
        new XElement("AllocatedStorage", 0),
        new XElement("Status", s.Status),
        new XElement("Port", s.Port),
        new XElement("VpcId", "vpc-" + RdsState.DefaultSecurityGroup(s.Account, s.Region)[3..]),
        new XElement("ClusterCreateTime", Timestamp(s.ClusterCreateTime)),
        Optional("MasterUsername", s.MasterUsername),
        new XElement("EngineVersion", s.EngineVersion),
        new XElement("LicenseModel", s.Engine == "aurora-postgresql" ? "aurora-postgresql" : "aurora-mysql"),
        new XElement("SnapshotType", s.SnapshotType),
        new XElement("PercentProgress", s.Status == "available" ? 100 : 0),
        new XElement("StorageEncrypted", Bool(s.StorageEncrypted)),
        new XElement("StorageEncryptionType", s.StorageEncryptionType),
        Optional("KmsKeyId", s.KmsKeyId),
        new XElement("DBClusterSnapshotArn", s.Arn),
        new XElement("IAMDatabaseAuthenticationEnabled", Bool(false)),
        Tags(s.Tags),
        new XElement("StorageType", "aurora"),
        new XElement("DbClusterResourceId", s.ClusterResourceId));

    public static XElement Tags(IEnumerable<RdsTag> tags, string name = "TagList") =>
        List(name, "Tag", tags, t => new object[] { new XElement("Key", t.Key), new XElement("Value", t.Value) });

    public static IReadOnlyList<string> AvailabilityZones(string region) => [region + "a", region + "b", region + "c"];
}
