using Rekey.Aws.RDS.Model;

namespace Rekey.Clusters;

/// <summary>Small readings of RDS shapes that several steps share.</summary>
public static class ClusterFacts
{
    public static IReadOnlyDictionary<string, string> TagsOf(IEnumerable<Tag>? tags) =>
        (tags ?? []).Where(t => t.Key is not null)
            .GroupBy(t => t.Key!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value ?? string.Empty, StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> Tags(this DBCluster cluster) => TagsOf(cluster.TagList);

    public static IReadOnlyDictionary<string, string> Tags(this DBInstance instance) => TagsOf(instance.TagList);

    public static string? Tag(this DBCluster cluster, string key) => cluster.Tags().GetValueOrDefault(key);

    public static bool IsAvailable(this DBCluster cluster) => string.Equals(cluster.Status, "available", StringComparison.OrdinalIgnoreCase);

    public static bool IsAvailable(this DBInstance instance) => string.Equals(instance.DBInstanceStatus, "available", StringComparison.OrdinalIgnoreCase);

    public static string? WriterId(this DBCluster cluster) =>
        cluster.DBClusterMembers?.FirstOrDefault(m => m.IsClusterWriter == true)?.DBInstanceIdentifier;

    public static bool IsAurora(this DBCluster cluster) =>
        cluster.Engine?.StartsWith("aurora", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Whether the key is the AWS managed key for RDS (its alias is aws/rds), given DescribeKey's answer.</summary>
    public static bool HasPendingModifications(this DBCluster cluster) =>
        cluster.PendingModifiedValues is { } pending
        && (pending.DBClusterIdentifier is not null || pending.EngineVersion is not null || pending.MasterUserPassword is not null
            || pending.IAMDatabaseAuthenticationEnabled is not null || pending.BackupRetentionPeriod is not null
            || pending.AllocatedStorage is not null || pending.Iops is not null || pending.StorageType is not null
            || pending.PendingCloudwatchLogsExports is not null);
}
