using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Waiting;

namespace Rekey.EndToEnd.Tests.Support;

/// <summary>
/// The smallest account that still exercises every part of a cutover: one aurora-postgresql cluster on
/// the AWS managed key with a writer and a reader, a custom endpoint, an IAM role, tags, custom
/// parameter groups and settings that differ from the restore's defaults.
/// </summary>
/// <summary>What the ledger cluster's storage is encrypted with when it is seeded.</summary>
public enum LedgerEncryption
{
    /// <summary>StorageEncrypted true without a key: the account's aws/rds.</summary>
    AwsManaged,

    /// <summary>Neither StorageEncrypted nor a key, after 2026-02-18: an AWS owned key (sse-rds).</summary>
    AwsOwned,

    /// <summary>StorageEncrypted false (none).</summary>
    Unencrypted,

    /// <summary>Another customer managed key of the account, <see cref="LedgerCluster.SourceKeyAlias"/>.</summary>
    CustomerKey,
}

public static class LedgerCluster
{
    public const string Account = "111111111111";
    public const string Region = "us-east-1";
    public const string Id = "ledger";
    public const string Writer = "ledger-1";
    public const string Reader = "ledger-2";
    public const string CustomEndpoint = "ledger-reporting";
    public const string RoleArn = $"arn:aws:iam::{Account}:role/ledger-s3-import";
    public const string KeyAlias = "alias/rekey-ledger";

    /// <summary>The customer managed key a <see cref="LedgerEncryption.CustomerKey"/> ledger starts on.</summary>
    public const string SourceKeyAlias = "alias/ledger-before";

    public static async Task SeedAsync(IAmazonRDS rds, Waiter wait, CancellationToken cancellationToken, LedgerEncryption encryption = LedgerEncryption.AwsManaged, string? kmsKeyId = null)
    {
        await rds.CreateDBClusterParameterGroupAsync(
            new CreateDBClusterParameterGroupRequest { DBClusterParameterGroupName = "ledger-cluster-pg16", DBParameterGroupFamily = "aurora-postgresql16", Description = "ledger cluster parameters" },
            cancellationToken);
        await rds.CreateDBParameterGroupAsync(
            new CreateDBParameterGroupRequest { DBParameterGroupName = "ledger-instance-pg16", DBParameterGroupFamily = "aurora-postgresql16", Description = "ledger instance parameters" },
            cancellationToken);
        await rds.CreateDBClusterAsync(
            new CreateDBClusterRequest
            {
                DBClusterIdentifier = Id,
                Engine = "aurora-postgresql",
                MasterUsername = "ledger_admin",
                MasterUserPassword = "end-to-end-only-password",
                DatabaseName = "ledger",
                Port = 5433,
                StorageEncrypted = kmsKeyId is not null ? true : encryption switch { LedgerEncryption.AwsOwned => null, LedgerEncryption.Unencrypted => false, _ => true },
                KmsKeyId = kmsKeyId ?? (encryption == LedgerEncryption.CustomerKey ? SourceKeyAlias : null),
                DBClusterParameterGroupName = "ledger-cluster-pg16",
                DBSubnetGroupName = "ledger-private",
                VpcSecurityGroupIds = ["sg-0123456789abcdef0"],
                BackupRetentionPeriod = 9,
                PreferredBackupWindow = "02:00-02:30",
                PreferredMaintenanceWindow = "tue:05:00-tue:05:30",
                EnableIAMDatabaseAuthentication = true,
                EnableCloudwatchLogsExports = ["postgresql"],
                CopyTagsToSnapshot = true,
                DeletionProtection = true,
                Tags = [new Tag { Key = "team", Value = "ledger" }, new Tag { Key = "cost-center", Value = "cc-42" }],
            },
            cancellationToken);
        await UntilAsync(wait, $"cluster {Id}", async token =>
            (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Id }, token)).DBClusters![0].Status, cancellationToken);

        foreach (var (id, instanceClass, zone, tier) in new[] { (Writer, "db.r6g.large", "us-east-1a", 0), (Reader, "db.r6g.xlarge", "us-east-1b", 2) })
        {
            await rds.CreateDBInstanceAsync(
                new CreateDBInstanceRequest
                {
                    DBInstanceIdentifier = id,
                    DBClusterIdentifier = Id,
                    Engine = "aurora-postgresql",
                    DBInstanceClass = instanceClass,
                    AvailabilityZone = zone,
                    PromotionTier = tier,
                    DBParameterGroupName = "ledger-instance-pg16",
                    AutoMinorVersionUpgrade = false,
                    PubliclyAccessible = false,
                    Tags = [new Tag { Key = "team", Value = "ledger" }],
                },
                cancellationToken);

            // The first instance that becomes available is the writer.
            await UntilAsync(wait, $"instance {id}", async token =>
                (await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = id }, token)).DBInstances![0].DBInstanceStatus, cancellationToken);
        }

        await rds.CreateDBClusterEndpointAsync(
            new CreateDBClusterEndpointRequest { DBClusterIdentifier = Id, DBClusterEndpointIdentifier = CustomEndpoint, EndpointType = "READER", StaticMembers = [Reader] },
            cancellationToken);
        await UntilAsync(wait, $"custom endpoint {CustomEndpoint}", async token =>
            (await rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest { DBClusterEndpointIdentifier = CustomEndpoint }, token)).DBClusterEndpoints![0].Status, cancellationToken);
        await rds.AddRoleToDBClusterAsync(new AddRoleToDBClusterRequest { DBClusterIdentifier = Id, RoleArn = RoleArn, FeatureName = "s3Import" }, cancellationToken);
    }

    private static Task UntilAsync(Waiter wait, string what, Func<CancellationToken, Task<string?>> status, CancellationToken cancellationToken) =>
        wait.UntilAsync(
            $"{what} to be available",
            TimeSpan.FromMinutes(1),
            async token => await status(token) is "available" and var s ? Probe<bool>.Ready(true, s) : Probe<bool>.NotYet(false, "not yet"),
            cancellationToken);
}
