using Rekey.Aws.RDS.Model;
using Rekey.State;

namespace Rekey.Tests.Migration;

/// <summary>A cluster and an instance with every setting Rekey carries set to a value other than the default.</summary>
internal static class ClusterSamples
{
    public static DBCluster Cluster() => new()
    {
        DBClusterIdentifier = "orders-old",
        DBClusterArn = "arn:aws:rds:eu-west-1:111111111111:cluster:orders-old",
        Engine = "aurora-mysql",
        EngineVersion = "8.0.mysql_aurora.3.08.0",
        EngineMode = "provisioned",
        DatabaseName = "orders",
        MasterUsername = "app_admin",
        Port = 3307,
        DBSubnetGroup = "app-private",
        VpcSecurityGroups = [new VpcSecurityGroupMembership { VpcSecurityGroupId = "sg-0a" }, new VpcSecurityGroupMembership { VpcSecurityGroupId = "sg-0b" }],
        DBClusterParameterGroup = "orders-cluster-mysql80",
        DBClusterOptionGroupMemberships = [new DBClusterOptionGroupStatus { DBClusterOptionGroupName = "orders-options" }],
        EnabledCloudwatchLogsExports = ["error", "slowquery"],
        IAMDatabaseAuthenticationEnabled = true,
        DeletionProtection = true,
        CopyTagsToSnapshot = true,
        BacktrackWindow = 86400,
        ServerlessV2ScalingConfiguration = new ServerlessV2ScalingConfigurationInfo { MinCapacity = 0.5, MaxCapacity = 16, SecondsUntilAutoPause = 900 },
        StorageType = "aurora-iopt1",
        NetworkType = "DUAL",
        DomainMemberships = [new DomainMembership { Domain = "d-1234567890", IAMRoleName = "rds-directory" }],
        EngineLifecycleSupport = "open-source-rds-extended-support-disabled",
        BackupRetentionPeriod = 14,
        PreferredBackupWindow = "03:00-03:30",
        PreferredMaintenanceWindow = "sun:04:00-sun:04:30",
        StorageEncrypted = true,
        KmsKeyId = "arn:aws:kms:eu-west-1:111111111111:key/aws-rds",
        TagList =
        [
            new Tag { Key = "team", Value = "payments" },
            new Tag { Key = "cost-center", Value = "cc-1234" },
            new Tag { Key = RekeyTags.Lock, Value = "run-1" },
            new Tag { Key = RekeyTags.T1, Value = "2026-11-28T10:00:00Z" },
        ],
    };

    public static DBInstance Instance() => new()
    {
        DBInstanceIdentifier = "orders-1-old",
        DBClusterIdentifier = "orders-old",
        Engine = "aurora-mysql",
        DBInstanceClass = "db.r6g.xlarge",
        AvailabilityZone = "eu-west-1b",
        PromotionTier = 3,
        DBParameterGroups = [new DBParameterGroupStatus { DBParameterGroupName = "orders-instance-mysql80" }],
        MonitoringInterval = 15,
        MonitoringRoleArn = "arn:aws:iam::111111111111:role/rds-monitoring",
        PerformanceInsightsEnabled = true,
        PerformanceInsightsKMSKeyId = "arn:aws:kms:eu-west-1:111111111111:key/pi",
        PerformanceInsightsRetentionPeriod = 731,
        DatabaseInsightsMode = "advanced",
        AutoMinorVersionUpgrade = false,
        PubliclyAccessible = true,
        CACertificateIdentifier = "rds-ca-rsa4096-g1",
        PreferredMaintenanceWindow = "mon:05:00-mon:05:30",
        CopyTagsToSnapshot = true,
        TagList = [new Tag { Key = "team", Value = "payments" }, new Tag { Key = RekeyTags.Role, Value = RekeyTags.SourceRole }],
    };
}
