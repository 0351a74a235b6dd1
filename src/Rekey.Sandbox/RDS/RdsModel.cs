namespace Rekey.Sandbox.RDS;

// The RDS resources as the sandbox keeps them (and saves them in the state file). Resources
// refer to each other by resource id, which a rename does not change, as in AWS.

public sealed record RdsTag(string Key, string Value);

public sealed record ClusterRole(string RoleArn, string? FeatureName, string Status);

/// <summary>One write the cluster acknowledged: the write history restores are checked against.</summary>
public sealed record ClusterWrite(long Sequence, DateTimeOffset Time, string Key, string Value, string? ConnectionId);

/// <summary>A state change due at a sandbox time; <see cref="Outcome"/> says how it ends.</summary>
public sealed record PendingTransition(string Action, DateTimeOffset DueAt, string Outcome = PendingTransition.Succeeds)
{
    public const string Succeeds = "succeed";
    public const string Fails = "fail";
    public const string Hangs = "hang";
}

public abstract class RdsResource
{
    public required string Account { get; set; }

    public required string Region { get; set; }

    public required string Identifier { get; set; }

    public required string ResourceId { get; set; }

    public string Status { get; set; } = "creating";

    public PendingTransition? Pending { get; set; }

    public List<RdsTag> Tags { get; set; } = [];

    public DateTimeOffset CreateTime { get; set; }
}

public sealed class DbCluster : RdsResource
{
    public string Arn => $"arn:aws:rds:{Region}:{Account}:cluster:{Identifier}";

    public required string Engine { get; set; }

    public required string EngineVersion { get; set; }

    public string EngineMode { get; set; } = "provisioned";

    public string? DatabaseName { get; set; }

    public string? MasterUsername { get; set; }

    public bool ManageMasterUserPassword { get; set; }

    public int Port { get; set; }

    public required string DBClusterParameterGroup { get; set; }

    public string DBSubnetGroup { get; set; } = "default";

    public List<string> VpcSecurityGroupIds { get; set; } = [];

    public bool StorageEncrypted { get; set; }

    /// <summary>The key ARN, as DescribeDBClusters reports it; none for an AWS owned key.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>botocore's StorageEncryptionType: an AWS owned key is encrypted storage that names no key.</summary>
    public string StorageEncryptionType => RdsState.EncryptionType(StorageEncrypted, KmsKeyId);

    public int BackupRetentionPeriod { get; set; } = 1;

    public string PreferredBackupWindow { get; set; } = "07:00-07:30";

    public string PreferredMaintenanceWindow { get; set; } = "sun:05:00-sun:05:30";

    public bool IAMDatabaseAuthenticationEnabled { get; set; }

    public bool DeletionProtection { get; set; }

    public bool CopyTagsToSnapshot { get; set; }

    public long? BacktrackWindow { get; set; }

    public List<string> EnabledCloudwatchLogsExports { get; set; } = [];

    public double? ServerlessV2MinCapacity { get; set; }

    public double? ServerlessV2MaxCapacity { get; set; }

    public string StorageType { get; set; } = "aurora";

    public string NetworkType { get; set; } = "IPV4";

    public string? EngineLifecycleSupport { get; set; }

    public bool LocalWriteForwarding { get; set; }

    /// <summary>The RDS Data API (EnableHttpEndpoint).</summary>
    public bool HttpEndpointEnabled { get; set; }

    public List<ClusterRole> Roles { get; set; } = [];

    public string? GlobalClusterIdentifier { get; set; }

    /// <summary>The instance (resource id) that takes writes.</summary>
    public string? WriterResourceId { get; set; }

    /// <summary>The rename waiting for a maintenance window (ApplyImmediately=false).</summary>
    public string? PendingIdentifier { get; set; }

    public string? RestoredFromResourceId { get; set; }

    public DateTimeOffset? RestoredToTime { get; set; }

    public List<ClusterWrite> Writes { get; set; } = [];

    /// <summary>Blue/Green: the old blue after a switchover (and a green left by its deployment) refuses writes until its writer reboots.</summary>
    public bool ReadOnlyUntilWriterReboot { get; set; }

    /// <summary>Long write transactions and DDL running now (the switchover guardrails look for them).</summary>
    public List<RunningStatement> RunningStatements { get; set; } = [];
}

public sealed class DbInstance : RdsResource
{
    public string Arn => $"arn:aws:rds:{Region}:{Account}:db:{Identifier}";

    public required string ClusterResourceId { get; set; }

    public required string DBInstanceClass { get; set; }

    public required string Engine { get; set; }

    public required string EngineVersion { get; set; }

    public required string AvailabilityZone { get; set; }

    public int PromotionTier { get; set; } = 1;

    public required string DBParameterGroupName { get; set; }

    /// <summary>DBClusterParameterGroupStatus as a cluster member: pending-reboot until a reboot applies the cluster parameter group's changes.</summary>
    public string ClusterParameterGroupStatus { get; set; } = "in-sync";

    /// <summary>DBParameterGroups[].ParameterApplyStatus: pending-reboot until a reboot applies the DB parameter group's changes.</summary>
    public string ParameterApplyStatus { get; set; } = "in-sync";

    public int MonitoringInterval { get; set; }

    public string? MonitoringRoleArn { get; set; }

    public bool PerformanceInsightsEnabled { get; set; }

    public string? PerformanceInsightsKMSKeyId { get; set; }

    public int? PerformanceInsightsRetentionPeriod { get; set; }

    /// <summary>standard or advanced.</summary>
    public string DatabaseInsightsMode { get; set; } = "standard";

    public bool AutoMinorVersionUpgrade { get; set; } = true;

    public bool PubliclyAccessible { get; set; }

    public string CACertificateIdentifier { get; set; } = "rds-ca-rsa2048-g1";

    public string PreferredMaintenanceWindow { get; set; } = "sun:05:00-sun:05:30";

    public bool CopyTagsToSnapshot { get; set; }

    /// <summary>Counts restarts: a connection opened at an older incarnation is closed.</summary>
    public int Incarnation { get; set; }

    public string? PendingIdentifier { get; set; }

    public string? PendingInstanceClass { get; set; }
}

public sealed class ClusterEndpoint : RdsResource
{
    public string Arn => $"arn:aws:rds:{Region}:{Account}:cluster-endpoint:{Identifier}";

    public required string ClusterResourceId { get; set; }

    /// <summary>READER or ANY.</summary>
    public required string CustomEndpointType { get; set; }

    public List<string> StaticMembers { get; set; } = [];

    public List<string> ExcludedMembers { get; set; } = [];
}

public sealed class ClusterSnapshot : RdsResource
{
    public string Arn => $"arn:aws:rds:{Region}:{Account}:cluster-snapshot:{Identifier}";

    public required string ClusterIdentifier { get; set; }

    public required string ClusterResourceId { get; set; }

    public string SnapshotType { get; set; } = "manual";

    public required string Engine { get; set; }

    public required string EngineVersion { get; set; }

    public string? MasterUsername { get; set; }

    public int Port { get; set; }

    public bool StorageEncrypted { get; set; }

    public string? KmsKeyId { get; set; }

    public string StorageEncryptionType => RdsState.EncryptionType(StorageEncrypted, KmsKeyId);

    /// <summary>The accounts (or "all") the snapshot is shared with: its "restore" attribute.</summary>
    public List<string> RestoreAccounts { get; set; } = [];

    public DateTimeOffset ClusterCreateTime { get; set; }

    public List<ClusterWrite> Writes { get; set; } = [];
}

public sealed record RdsEvent(
    string Account,
    string Region,
    string SourceIdentifier,
    string SourceType,
    string Message,
    IReadOnlyList<string> EventCategories,
    DateTimeOffset Date,
    string SourceArn,
    string? EventId = null);

/// <summary>An event subscription (seeded through the sandbox API; DescribeEventSubscriptions reads it).</summary>
public sealed record EventSubscription(
    string Account,
    string Region,
    string Name,
    string SnsTopicArn,
    string? SourceType,
    IReadOnlyList<string> SourceIds,
    IReadOnlyList<string> EventCategories,
    bool Enabled,
    DateTimeOffset CreationTime)
{
    public string Arn => $"arn:aws:rds:{Region}:{Account}:es:{Name}";
}

/// <summary>A global cluster (seeded through the sandbox API); members by cluster resource id.</summary>
public sealed record GlobalCluster(
    string Account,
    string Identifier,
    string ResourceId,
    string Engine,
    string EngineVersion,
    bool StorageEncrypted,
    IReadOnlyList<string> MemberResourceIds,
    string? WriterResourceId)
{
    public string Arn => $"arn:aws:rds::{Account}:global-cluster:{Identifier}";
}

/// <summary>How an RDS Proxy logs in to the database (UserAuthConfig).</summary>
public sealed record ProxyAuth(string? Description, string? UserName, string AuthScheme, string? SecretArn, string IAMAuth, string? ClientPasswordAuthType);

/// <summary>An RDS Proxy with the clusters registered in its target groups.</summary>
public sealed class DbProxy
{
    public required string Account { get; set; }

    public required string Region { get; set; }

    public required string Name { get; set; }

    public required string ResourceId { get; set; }

    public required string EngineFamily { get; set; }

    public required string RoleArn { get; set; }

    public DateTimeOffset CreatedDate { get; set; }

    /// <summary>When creation completes; the proxy is "creating" until then.</summary>
    public DateTimeOffset AvailableAt { get; set; }

    public List<string> VpcSubnetIds { get; set; } = [];

    public List<string> VpcSecurityGroupIds { get; set; } = [];

    public bool RequireTLS { get; set; }

    public int IdleClientTimeout { get; set; } = 1800;

    public bool DebugLogging { get; set; }

    public List<ProxyAuth> Auth { get; set; } = [];

    public List<RdsTag> Tags { get; set; } = [];

    public string StatusAt(DateTimeOffset now) => now >= AvailableAt ? "available" : "creating";

    public string Arn => $"arn:aws:rds:{Region}:{Account}:db-proxy:{ResourceId}";

    /// <summary>Target group name -> registered cluster resource ids.</summary>
    public Dictionary<string, List<string>> TargetClusters { get; set; } = new() { ["default"] = [] };
}

/// <summary>One problem a zero-ETL integration reports (Integration.Errors).</summary>
public sealed record IntegrationError(string ErrorCode, string? ErrorMessage);

/// <summary>
/// A zero-ETL integration from an Aurora cluster (kept by resource id, as the source) to an
/// Amazon Redshift namespace, which the sandbox does not model beyond its ARN.
/// </summary>
public sealed class RdsIntegration
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>The UUID in the ARN, which IntegrationIdentifier also accepts.</summary>
    public required string Id { get; init; }

    public required string Name { get; set; }

    public required string SourceArn { get; init; }

    public required string SourceClusterResourceId { get; init; }

    public required string TargetArn { get; init; }

    public string? KmsKeyId { get; init; }

    public Dictionary<string, string> AdditionalEncryptionContext { get; init; } = [];

    public string Status { get; set; } = "creating";

    public List<RdsTag> Tags { get; init; } = [];

    public string? DataFilter { get; init; }

    public string? Description { get; init; }

    public DateTimeOffset CreateTime { get; init; }

    public List<IntegrationError> Errors { get; init; } = [];

    /// <summary>When the current state change (creating, deleting) completes.</summary>
    public DateTimeOffset? DueAt { get; set; }

    public string Arn => $"arn:aws:rds:{Region}:{Account}:integration:{Id}";
}
