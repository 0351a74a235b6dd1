using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Backup;
using Rekey.Waiting;

namespace Rekey.SandboxRehearsal;

/// <summary>A sample cluster of the rehearsal account, as it is created.</summary>
public sealed record SampleCluster(
    string Id,
    string Engine,
    int Port,
    string ParameterGroup,
    string InstanceParameterGroup,
    string CustomEndpoint,
    string RoleArn,
    string? RoleFeature,
    IReadOnlyList<(string Id, string InstanceClass, string Zone, int PromotionTier)> Instances)
{
    /// <summary>The family of both parameter groups (the engine's default major version).</summary>
    public string ParameterGroupFamily => Engine == "aurora-mysql" ? "aurora-mysql8.0" : "aurora-postgresql16";

    /// <summary>The values set in the custom cluster parameter group before the cluster is created.</summary>
    public IReadOnlyList<(string Name, string Value)> ClusterParameters { get; init; } = [];

    /// <summary>
    /// CreateDBCluster's StorageEncrypted: true (without a key, the account's aws/rds), or null: neither it nor a key,
    /// which since 2026-02-18 makes Aurora use an AWS owned key (sse-rds).
    /// </summary>
    public bool? StorageEncrypted { get; init; } = true;
}

/// <summary>
/// Seeds the rehearsal account through the ordinary RDS API: an aurora-postgresql and an aurora-mysql
/// cluster on the AWS managed key, each with a writer and two readers of different classes, and an
/// aurora-postgresql cluster created without a key (so on an AWS owned key, sse-rds) with a writer and a
/// reader; each with a custom endpoint, an IAM role, tags and custom parameter groups.
/// </summary>
public static class SampleAccount
{
    public const string Account = "111111111111";

    /// <summary>AWS Backup's default service role in the account, which the backup phase uses unless told otherwise.</summary>
    public static string BackupServiceRoleArn { get; } = BackupSetup.DefaultServiceRoleArn("aws", Account);

    /// <summary>The account that receives the backup copies in a rehearsal.</summary>
    public const string BackupAccount = "222222222222";

    /// <summary>The role the backup phase assumes in <see cref="BackupAccount"/>.</summary>
    public const string BackupRoleArn = $"arn:aws:iam::{BackupAccount}:role/rekey-backup";

    public static IReadOnlyList<SampleCluster> Clusters { get; } =
    [
        new(
            "orders",
            "aurora-postgresql",
            5432,
            "orders-cluster-pg16",
            "orders-instance-pg16",
            "orders-reporting",
            $"arn:aws:iam::{Account}:role/orders-s3-import",
            "s3Import",
            [("orders-1", "db.r6g.large", "us-east-1a", 0), ("orders-2", "db.r6g.large", "us-east-1b", 1), ("orders-3", "db.r6g.xlarge", "us-east-1c", 2)])
        {
            // Logical replication on: the PostgreSQL sample is ready for Blue/Green; the MySQL
            // sample keeps binlog_format OFF, so its Blue/Green needs the parameter group fix.
            ClusterParameters = [("rds.logical_replication", "1")],
        },
        new(
            "inventory",
            "aurora-mysql",
            3306,
            "inventory-cluster-mysql80",
            "inventory-instance-mysql80",
            "inventory-batch",
            $"arn:aws:iam::{Account}:role/inventory-s3-export",
            null,
            [("inventory-a", "db.r6g.xlarge", "us-east-1a", 0), ("inventory-b", "db.r6g.large", "us-east-1b", 1), ("inventory-c", "db.r6g.2xlarge", "us-east-1c", 15)]),
        new(
            "events",
            "aurora-postgresql",
            5432,
            "events-cluster-pg16",
            "events-instance-pg16",
            "events-consumers",
            $"arn:aws:iam::{Account}:role/events-s3-export",
            "s3Export",
            [("events-1", "db.r6g.large", "us-east-1a", 0), ("events-2", "db.r6g.large", "us-east-1b", 1)])
        {
            // Created in 2026 without a key, as most new clusters are: an AWS owned key, whose backups cannot leave the account.
            StorageEncrypted = null,
            ClusterParameters = [("rds.logical_replication", "1")],
        },
    ];

    public static async Task SeedAsync(IAmazonRDS rds, Waiter wait, CancellationToken cancellationToken)
    {
        foreach (var sample in Clusters)
        {
            await CreateParameterGroupsAsync(rds, sample, cancellationToken).ConfigureAwait(false);
            await rds.CreateDBClusterAsync(ClusterRequest(sample), cancellationToken).ConfigureAwait(false);

            await wait.UntilAsync(
                $"sample cluster {sample.Id} to be available",
                TimeSpan.FromMinutes(5),
                async token =>
                {
                    var response = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = sample.Id }, token).ConfigureAwait(false);
                    var status = response.DBClusters?.FirstOrDefault()?.Status ?? "unknown";
                    return status == "available" ? Probe<bool>.Ready(true, status) : Probe<bool>.NotYet(false, status);
                },
                cancellationToken).ConfigureAwait(false);

            foreach (var (id, instanceClass, zone, tier) in sample.Instances)
            {
                await rds.CreateDBInstanceAsync(InstanceRequest(sample, (id, instanceClass, zone, tier)), cancellationToken).ConfigureAwait(false);

                // The first instance that becomes available is the writer; readers wait for it.
                if (id == sample.Instances[0].Id)
                {
                    await WaitForInstanceAsync(rds, wait, id, cancellationToken).ConfigureAwait(false);
                }
            }

            foreach (var (id, _, _, _) in sample.Instances.Skip(1))
            {
                await WaitForInstanceAsync(rds, wait, id, cancellationToken).ConfigureAwait(false);
            }

            await FinishAsync(rds, sample, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The CreateDBCluster request of <paramref name="sample"/>: on the AWS managed key, with its settings and tags.</summary>
    public static CreateDBClusterRequest ClusterRequest(SampleCluster sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return new CreateDBClusterRequest
        {
            DBClusterIdentifier = sample.Id,
            Engine = sample.Engine,
            MasterUsername = "app_admin",
            MasterUserPassword = "rehearsal-only-password",
            DatabaseName = DatabaseName(sample),
            Port = sample.Port,
            StorageEncrypted = sample.StorageEncrypted,
            DBClusterParameterGroupName = sample.ParameterGroup,
            DBSubnetGroupName = "app-private",
            VpcSecurityGroupIds = ["sg-0a1b2c3d4e5f60718"],
            BackupRetentionPeriod = 7,
            PreferredBackupWindow = "03:00-03:30",
            PreferredMaintenanceWindow = "sun:04:00-sun:04:30",
            EnableIAMDatabaseAuthentication = true,

            // The RDS Data API on, so Rekey can advance an Aurora PostgreSQL cluster's sequences after a Blue/Green switchover.
            EnableHttpEndpoint = sample.Engine == "aurora-postgresql" ? true : null,
            EnableCloudwatchLogsExports = [sample.Engine == "aurora-mysql" ? "error" : "postgresql"],
            CopyTagsToSnapshot = true,
            DeletionProtection = true,
            Tags = [new Tag { Key = "team", Value = "payments" }, new Tag { Key = "cost-center", Value = "cc-1234" }],
        };
    }

    /// <summary>The database CreateDBCluster creates in <paramref name="sample"/>, which its application writes to.</summary>
    public static string DatabaseName(SampleCluster sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Id.Replace('-', '_');
    }

    /// <summary>The CreateDBInstance request of one of <paramref name="sample"/>'s instances.</summary>
    public static CreateDBInstanceRequest InstanceRequest(SampleCluster sample, (string Id, string InstanceClass, string Zone, int PromotionTier) instance)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return new CreateDBInstanceRequest
        {
            DBInstanceIdentifier = instance.Id,
            DBClusterIdentifier = sample.Id,
            Engine = sample.Engine,
            DBInstanceClass = instance.InstanceClass,
            AvailabilityZone = instance.Zone,
            PromotionTier = instance.PromotionTier,
            DBParameterGroupName = sample.InstanceParameterGroup,
            AutoMinorVersionUpgrade = true,
            PubliclyAccessible = false,
            Tags = [new Tag { Key = "team", Value = "payments" }],
        };
    }

    /// <summary>Once the instances are available: the custom endpoint on the third instance and the IAM role.</summary>
    public static async Task FinishAsync(IAmazonRDS rds, SampleCluster sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rds);
        ArgumentNullException.ThrowIfNull(sample);
        await rds.CreateDBClusterEndpointAsync(
            new CreateDBClusterEndpointRequest
            {
                DBClusterIdentifier = sample.Id,
                DBClusterEndpointIdentifier = sample.CustomEndpoint,
                EndpointType = "READER",
                StaticMembers = [sample.Instances[^1].Id],
            },
            cancellationToken).ConfigureAwait(false);
        await rds.AddRoleToDBClusterAsync(
            new AddRoleToDBClusterRequest { DBClusterIdentifier = sample.Id, RoleArn = sample.RoleArn, FeatureName = sample.RoleFeature },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates AWS Backup's default service role in the account through the sandbox API: like AWS,
    /// the sandbox has it only once someone creates it, and its AWS Backup refuses a role that does not exist.
    /// </summary>
    public static Task SeedBackupServiceRoleAsync(SandboxApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api.CreateRoleAsync(BackupServiceRoleArn, cancellationToken);
    }

    /// <summary>
    /// Creates the backup account's role through the sandbox API with a trust policy that lets the
    /// rehearsal's caller, the sample account's own credentials, assume it: the sandbox's STS, like
    /// AWS, assumes only a role that exists and trusts its caller.
    /// </summary>
    public static Task SeedBackupRoleAsync(SandboxApi api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        const string trust =
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:root"},"Action":"sts:AssumeRole"}]}""";
        return api.CreateRoleAsync(BackupRoleArn, trust, cancellationToken);
    }

    /// <summary>The sample's cluster and instance parameter groups, with its cluster parameters.</summary>
    public static async Task CreateParameterGroupsAsync(IAmazonRDS rds, SampleCluster sample, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rds);
        ArgumentNullException.ThrowIfNull(sample);
        await rds.CreateDBClusterParameterGroupAsync(
            new CreateDBClusterParameterGroupRequest
            {
                DBClusterParameterGroupName = sample.ParameterGroup,
                DBParameterGroupFamily = sample.ParameterGroupFamily,
                Description = $"{sample.Id} cluster parameters",
            },
            cancellationToken).ConfigureAwait(false);
        if (sample.ClusterParameters.Count > 0)
        {
            await rds.ModifyDBClusterParameterGroupAsync(
                new ModifyDBClusterParameterGroupRequest
                {
                    DBClusterParameterGroupName = sample.ParameterGroup,
                    Parameters = [.. sample.ClusterParameters.Select(p => new Parameter { ParameterName = p.Name, ParameterValue = p.Value, ApplyMethod = ApplyMethod.PendingReboot })],
                },
                cancellationToken).ConfigureAwait(false);
        }

        await rds.CreateDBParameterGroupAsync(
            new CreateDBParameterGroupRequest
            {
                DBParameterGroupName = sample.InstanceParameterGroup,
                DBParameterGroupFamily = sample.ParameterGroupFamily,
                Description = $"{sample.Id} instance parameters",
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static Task WaitForInstanceAsync(IAmazonRDS rds, Waiter wait, string id, CancellationToken cancellationToken) =>
        wait.UntilAsync(
            $"sample instance {id} to be available",
            TimeSpan.FromMinutes(5),
            async token =>
            {
                var response = await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = id }, token).ConfigureAwait(false);
                var status = response.DBInstances?.FirstOrDefault()?.DBInstanceStatus ?? "unknown";
                return status == "available" ? Probe<bool>.Ready(true, status) : Probe<bool>.NotYet(false, status);
            },
            cancellationToken);
}
