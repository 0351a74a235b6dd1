using System.Globalization;
using Rekey.Aws.RDS.Model;
using Rekey.State;

namespace Rekey.Migration;

/// <summary>How a setting of the old cluster or instance reaches the new one.</summary>
public enum Carriage
{
    /// <summary>A parameter of RestoreDBClusterToPointInTime.</summary>
    RestoreParameter,

    /// <summary>A parameter of CreateDBInstance, per instance.</summary>
    InstanceParameter,

    /// <summary>Applied by ModifyDBCluster (or another call) after the restore, in Finalize.</summary>
    ModifiedAfter,

    /// <summary>Deleted from the old cluster by the fence and created again on the new one.</summary>
    Recreated,

    /// <summary>Kept by the restore itself (the data's properties).</summary>
    KeptByRestore,

    /// <summary>Rekey does not carry it; the operator must.</summary>
    Manual,
}

/// <summary>A cluster setting Rekey carries, how, and how to read it, so Plan, the steps and Verify agree.</summary>
public sealed record ClusterSetting(string Name, Carriage Carriage, Func<DBCluster, string?> Read, bool Verified = true);

/// <summary>An instance setting Rekey carries, and how to read it.</summary>
public sealed record InstanceSetting(string Name, Carriage Carriage, Func<DBInstance, string?> Read, bool Verified = true);

/// <summary>The one list of what the cutover carries from the old cluster to the new one.</summary>
public static class CarriedSettings
{
    public static IReadOnlyList<ClusterSetting> Cluster { get; } =
    [
        new("Engine", Carriage.KeptByRestore, c => c.Engine),
        new("EngineVersion", Carriage.KeptByRestore, c => c.EngineVersion),
        new("EngineMode", Carriage.KeptByRestore, c => c.EngineMode),
        new("DatabaseName", Carriage.KeptByRestore, c => c.DatabaseName),
        new("MasterUsername", Carriage.KeptByRestore, c => c.MasterUsername),
        new("Port", Carriage.RestoreParameter, c => Text(c.Port)),
        new("DBSubnetGroup", Carriage.RestoreParameter, c => c.DBSubnetGroup),
        new("VpcSecurityGroups", Carriage.RestoreParameter, c => Join(c.VpcSecurityGroups?.Select(g => g.VpcSecurityGroupId))),
        new("DBClusterParameterGroup", Carriage.RestoreParameter, c => c.DBClusterParameterGroup),
        new("EnabledCloudwatchLogsExports", Carriage.RestoreParameter, c => Join(c.EnabledCloudwatchLogsExports)),
        new("IAMDatabaseAuthenticationEnabled", Carriage.RestoreParameter, c => Text(c.IAMDatabaseAuthenticationEnabled)),
        new("DeletionProtection", Carriage.ModifiedAfter, c => Text(c.DeletionProtection)),
        new("CopyTagsToSnapshot", Carriage.RestoreParameter, c => Text(c.CopyTagsToSnapshot)),
        new("BacktrackWindow", Carriage.RestoreParameter, c => Text(c.BacktrackWindow ?? 0)),
        new("ServerlessV2ScalingConfiguration", Carriage.RestoreParameter, c => c.ServerlessV2ScalingConfiguration is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"{s.MinCapacity}-{s.MaxCapacity}/{s.SecondsUntilAutoPause}")
            : null),
        new("StorageType", Carriage.RestoreParameter, c => c.StorageType),
        new("NetworkType", Carriage.RestoreParameter, c => c.NetworkType),
        new("Domain", Carriage.RestoreParameter, c => Join(c.DomainMemberships?.Select(d => $"{d.Domain}/{d.IAMRoleName}"))),
        new("EngineLifecycleSupport", Carriage.RestoreParameter, c => c.EngineLifecycleSupport),
        new("BackupRetentionPeriod", Carriage.RestoreParameter, c => Text(c.BackupRetentionPeriod)),
        new("PreferredBackupWindow", Carriage.RestoreParameter, c => c.PreferredBackupWindow),
        new("Tags", Carriage.RestoreParameter, c => Join(c.TagList?.Where(t => !RekeyTags.IsRekeyTag(t.Key ?? string.Empty)).Select(t => $"{t.Key}={t.Value}"))),
        new("PreferredMaintenanceWindow", Carriage.ModifiedAfter, c => c.PreferredMaintenanceWindow),
        new("HttpEndpointEnabled", Carriage.ModifiedAfter, c => Text(c.HttpEndpointEnabled ?? false)),
        new("LocalWriteForwarding", Carriage.ModifiedAfter, c => Text(IsOn(c.LocalWriteForwardingStatus))),
        new("AssociatedRoles", Carriage.ModifiedAfter, c => Join(c.AssociatedRoles?.Select(r => $"{r.RoleArn}#{r.FeatureName}"))),
        // Verify compares custom endpoints with the fence's record: the fence deleted them from the old cluster.
        new("CustomEndpoints", Carriage.Recreated, c => Join(c.CustomEndpoints?.Select(e => e.Split('.')[0])), Verified: false),
        // An unencrypted source becomes encrypted (Blue/Green's TargetKmsKeyId): the key check, not a comparison with the old cluster, verifies it.
        new("StorageEncrypted", Carriage.KeptByRestore, c => Text(c.StorageEncrypted), Verified: false),
        new("KmsKeyId", Carriage.RestoreParameter, c => c.KmsKeyId, Verified: false),
        new("MasterUserSecret", Carriage.Manual, c => c.MasterUserSecret?.SecretArn is null ? null : "managed in Secrets Manager", Verified: false),
        new("ActivityStream", Carriage.Manual, c => c.ActivityStreamStatus, Verified: false),
    ];

    public static IReadOnlyList<InstanceSetting> Instance { get; } =
    [
        new("DBInstanceClass", Carriage.InstanceParameter, i => i.DBInstanceClass),
        new("AvailabilityZone", Carriage.InstanceParameter, i => i.AvailabilityZone),
        new("PromotionTier", Carriage.InstanceParameter, i => Text(i.PromotionTier)),
        new("DBParameterGroup", Carriage.InstanceParameter, i => Join(i.DBParameterGroups?.Select(g => g.DBParameterGroupName))),
        new("MonitoringInterval", Carriage.InstanceParameter, i => Text(i.MonitoringInterval ?? 0)),
        new("MonitoringRoleArn", Carriage.InstanceParameter, i => i.MonitoringRoleArn),
        new("PerformanceInsightsEnabled", Carriage.InstanceParameter, i => Text(i.PerformanceInsightsEnabled ?? false)),
        new("PerformanceInsightsRetentionPeriod", Carriage.InstanceParameter, i => Text(i.PerformanceInsightsRetentionPeriod)),
        new("AutoMinorVersionUpgrade", Carriage.InstanceParameter, i => Text(i.AutoMinorVersionUpgrade)),
        new("PubliclyAccessible", Carriage.InstanceParameter, i => Text(i.PubliclyAccessible)),
        new("CACertificateIdentifier", Carriage.InstanceParameter, i => i.CACertificateIdentifier),
        new("PreferredMaintenanceWindow", Carriage.InstanceParameter, i => i.PreferredMaintenanceWindow),
        new("CopyTagsToSnapshot", Carriage.InstanceParameter, i => Text(i.CopyTagsToSnapshot)),
        new("Tags", Carriage.InstanceParameter, i => Join(i.TagList?.Where(t => !RekeyTags.IsRekeyTag(t.Key ?? string.Empty)).Select(t => $"{t.Key}={t.Value}"))),
    ];

    /// <summary>Cluster settings whose values differ between the old and the new cluster.</summary>
    public static IEnumerable<(string Name, string? Old, string? New)> ClusterDifferences(DBCluster old, DBCluster @new) =>
        Cluster.Where(s => s.Verified)
            .Select(s => (s.Name, Old: s.Read(old), New: s.Read(@new)))
            .Where(d => !string.Equals(Normalize(d.Name, d.Old), Normalize(d.Name, d.New), StringComparison.Ordinal));

    public static IEnumerable<(string Name, string? Old, string? New)> InstanceDifferences(DBInstance old, DBInstance @new) =>
        Instance.Where(s => s.Verified)
            .Select(s => (s.Name, Old: s.Read(old), New: s.Read(@new)))
            .Where(d => !string.Equals(d.Old ?? string.Empty, d.New ?? string.Empty, StringComparison.Ordinal));

    private static string Normalize(string name, string? value) =>
        name == "CustomEndpoints" || name == "AssociatedRoles" || name == "VpcSecurityGroups" || name == "Tags" || name == "EnabledCloudwatchLogsExports"
            ? string.Join(",", (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
            : value ?? string.Empty;

    private static bool IsOn(string? status) =>
        string.Equals(status, "enabled", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "enabling", StringComparison.OrdinalIgnoreCase);

    private static string? Text(bool? value) => value?.ToString(CultureInfo.InvariantCulture).ToLowerInvariant();

    private static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Text(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? Join(IEnumerable<string?>? values) =>
        values is null ? null : string.Join(",", values.Where(v => !string.IsNullOrEmpty(v)));

    /// <summary>The cluster's tags without Rekey's own, as RDS takes them in a request.</summary>
    public static List<Tag> UserTags(IEnumerable<Tag>? tags) =>
        (tags ?? []).Where(t => t.Key is not null && !RekeyTags.IsRekeyTag(t.Key)).Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList();

}
