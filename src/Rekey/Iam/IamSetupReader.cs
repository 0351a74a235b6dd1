using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rekey.Aws.RDS;
using Rekey.Backup;
using Rekey.Clusters;
using Rekey.Configuration;

namespace Rekey.Iam;

/// <summary>Reads what the generated policies are scoped to from the account itself: who is calling, and the cluster as it is.</summary>
public static class IamSetupReader
{

    public static async Task<IamSetupInput> ReadAsync(
        IAmazonRDS rds,
        IAmazonSecurityTokenService sts,
        RekeySettings settings,
        string region,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rds);
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentNullException.ThrowIfNull(settings);

        var repository = CheckArguments(settings);
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var partition = identity.Arn.Split(':')[1];
        if (settings.IamFleet)
        {
            return await ReadFleetAsync(rds, settings, region, partition, identity.Account, repository, cancellationToken).ConfigureAwait(false);
        }

        return await ReadClusterAsync(rds, settings, region, partition, identity.Account, repository, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The arguments the policies are scoped by, each present; the repository parsed.</summary>
    private static GitHubRepository CheckArguments(RekeySettings settings)
    {
        var problems = new List<string>();
        if (settings.Cluster is null && !settings.IamFleet)
        {
            problems.Add(
                "--cluster is needed: the policies are scoped to that cluster and its instances "
                + $"(or give --{ArgumentNames.IamScope}=fleet for one role set for every cluster tagged {IamPolicyGenerator.FleetTagKey}=<environment>).");
        }

        if (settings.GitHubRepo is null)
        {
            problems.Add("--github-repo=OWNER/NAME is needed: the roles trust only that repository's workflows.");
        }

        if (settings.Environment is null)
        {
            problems.Add("--environment=NAME is needed: the GitHub environment whose reviewers approve the migration (its read-only twin is NAME-plan).");
        }

        if (settings.KmsKey is null)
        {
            problems.Add("--kms-key is needed: the migration role may use that key only.");
        }

        GitHubRepository? repository = null;
        if (settings.GitHubRepo is not null && !GitHubRepository.TryParse(settings.GitHubRepo, out repository))
        {
            problems.Add($"--github-repo: '{settings.GitHubRepo}' is not OWNER/NAME or OWNER@ID/NAME@ID.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidArgumentsException(problems);
        }

        return repository!;
    }

    /// <summary>What the policies of one cluster are scoped to: its instances, endpoints, groups and the roles it passes.</summary>
    private static async Task<IamSetupInput> ReadClusterAsync(
        IAmazonRDS rds, RekeySettings settings, string region, string partition, string account, GitHubRepository repository, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(rds);
        var cluster = await reader.FindClusterAsync(settings.Cluster!, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidArgumentsException([$"Cluster {settings.Cluster} does not exist in account {account}, Region {region}: check --cluster and --region."]);
        var instances = await reader.InstancesOfAsync(settings.Cluster!, cancellationToken).ConfigureAwait(false);
        var endpoints = await reader.CustomEndpointsOfAsync(settings.Cluster!, cancellationToken).ConfigureAwait(false);

        var passedRoles = (cluster.AssociatedRoles ?? []).Select(r => r.RoleArn)
            .Concat(instances.Select(i => i.MonitoringRoleArn))
            .OfType<string>()
            .ToList();
        var input = Input(settings, region, partition, account, repository, settings.Cluster!, passedRoles);
        return input with
        {
            InstanceIds = instances.Select(i => i.DBInstanceIdentifier).OfType<string>().Order(StringComparer.Ordinal).ToList(),
            CustomEndpointNames = endpoints.Select(e => e.DBClusterEndpointIdentifier).OfType<string>().Order(StringComparer.Ordinal).ToList(),
            ClusterParameterGroups = cluster.DBClusterParameterGroup is { } clusterGroup ? [clusterGroup] : [],
            SubnetGroups = cluster.DBSubnetGroup is { } subnetGroup ? [subnetGroup] : [],
            InstanceParameterGroups = instances.SelectMany(i => i.DBParameterGroups ?? []).Select(g => g.DBParameterGroupName).OfType<string>()
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>
    /// The fleet of the environment: every cluster tagged <see cref="IamPolicyGenerator.FleetTagKey"/>=&lt;environment&gt;.
    /// Only the roles they hand to RDS are read from them (a handful, shared across the fleet); everything else is scoped by tag.
    /// </summary>
    private static async Task<IamSetupInput> ReadFleetAsync(
        IAmazonRDS rds,
        RekeySettings settings,
        string region,
        string partition,
        string account,
        GitHubRepository repository,
        CancellationToken cancellationToken)
    {
        var environment = settings.Environment!;
        var clusters = new List<Aws.RDS.Model.DBCluster>();
        await foreach (var cluster in rds.DescribeDBClustersAllAsync(new Aws.RDS.Model.DescribeDBClustersRequest(), cancellationToken).ConfigureAwait(false))
        {
            if ((cluster.TagList ?? []).Any(t => t.Key == IamPolicyGenerator.FleetTagKey && t.Value == environment))
            {
                clusters.Add(cluster);
            }
        }

        if (clusters.Count == 0)
        {
            throw new InvalidArgumentsException([
                $"No cluster in account {account}, Region {region} carries the tag {IamPolicyGenerator.FleetTagKey}={environment}: tag every cluster, "
                + $"instance and custom endpoint Rekey may migrate in {environment}, then run IamPolicies again."]);
        }

        var reader = new ClusterReader(rds);
        var passedRoles = new List<string>();
        foreach (var cluster in clusters)
        {
            passedRoles.AddRange((cluster.AssociatedRoles ?? []).Select(r => r.RoleArn).OfType<string>());
            var instances = await reader.InstancesOfAsync(cluster.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
            passedRoles.AddRange(instances.Select(i => i.MonitoringRoleArn).OfType<string>());
        }

        var input = Input(settings, region, partition, account, repository, "*", passedRoles);
        return input with
        {
            Fleet = true,
            FleetClusterIds = clusters.Select(c => c.DBClusterIdentifier).OfType<string>().Order(StringComparer.Ordinal).ToList(),
            PassedRoleArns = input.PassedRoleArns.Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>
    /// What the policies of a cluster and of a fleet share: the account, the repository, the key, the backup set-up and
    /// the roles handed to AWS, with the role AWS Backup is handed (as BackupSetup chooses it) when backups are copied.
    /// </summary>
    private static IamSetupInput Input(
        RekeySettings settings, string region, string partition, string account, GitHubRepository repository, string clusterId, List<string> passedRoles)
    {
        string? serviceRole = null;
        if (settings.BackupAccount is not null)
        {
            serviceRole = settings.BackupServiceRoleArn ?? BackupSetup.DefaultServiceRoleArn(partition, account);
            passedRoles.Add(serviceRole);
        }

        return new IamSetupInput
        {
            Partition = partition,
            Account = account,
            Region = region,
            Repository = repository,
            Environment = settings.Environment!,
            ClusterId = clusterId,
            OldSuffix = settings.OldSuffix,
            PassedRoleArns = passedRoles,
            BackupServiceRoleArn = serviceRole,
            Key = settings.KmsKey!,
            Strategy = settings.Strategy,
            TopicArn = settings.SnsTopicArn,
            DatabaseSecretArn = settings.DatabaseSecretArn,
            BackupAccount = settings.BackupAccount,
            BackupVault = settings.BackupVault ?? (settings.BackupAccount is null ? null : BackupSetup.DefaultVaultName),
            SourceBackupVault = settings.SourceBackupVault,
        };
    }
}
