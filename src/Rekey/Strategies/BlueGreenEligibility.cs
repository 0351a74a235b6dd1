using Amazon.Runtime;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Configuration;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Strategies;

/// <summary>What the API tells about a cluster that decides whether Blue/Green may move it (read once, judged by <see cref="BlueGreenEligibility.Judge"/>).</summary>
public sealed record BlueGreenFacts
{
    public required DBCluster Cluster { get; init; }

    /// <summary>Zero-ETL integrations whose source is the cluster.</summary>
    public IReadOnlyList<Integration> Integrations { get; init; } = [];

    /// <summary>Blue/Green deployments whose source is the cluster and that are not Rekey's own for this cluster.</summary>
    public IReadOnlyList<BlueGreenDeployment> ForeignDeployments { get; init; } = [];

    /// <summary>The cluster-level replication parameter (binlog_format or rds.logical_replication); null for other engines.</summary>
    public BlueGreenParameterCheck? Parameters { get; init; }

    /// <summary>Aurora MySQL's event_scheduler as the cluster parameter group sets it.</summary>
    public string? EventScheduler { get; init; }

    /// <summary>The cluster is a member of a global database (by its own field or the global cluster's member list).</summary>
    public bool InGlobalCluster { get; init; }

    /// <summary>The replica auto scaling Rekey carries through the switchover; null when there is none or it could not be read.</summary>
    public ReplicaScaling? ReplicaScaling { get; init; }

    /// <summary>Why the replica auto scaling could not be read (a missing permission), or null.</summary>
    public string? ReplicaScalingUnreadable { get; init; }
}

/// <summary>Whether Blue/Green can move the cluster: every reason it cannot, at once, and which ones Rekey can fix.</summary>
public sealed record BlueGreenVerdict
{
    public IReadOnlyList<string> Blockers { get; init; } = [];

    /// <summary>Blockers Rekey can remove without an outage or with a short one, each with its cost.</summary>
    public IReadOnlyList<string> Fixes { get; init; } = [];

    /// <summary>What the operator must know about Blue/Green on this cluster, and what the API cannot tell.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public bool Eligible => Blockers.Count == 0;

    /// <summary>The blockers the parameter fix (PrepareBlueGreenParameters --fix-parameter-group) removes.</summary>
    public IReadOnlyList<string> ParameterBlockers { get; init; } = [];

    /// <summary>The parameter Blue/Green needs (binlog_format or rds.logical_replication), when it is not yet in effect.</summary>
    public string? MissingParameter { get; init; }

    /// <summary>Blue/Green is blocked only by the replication parameter: one writer reboot makes it possible.</summary>
    public bool OnlyParameterBlocks => Blockers.Count > 0 && Blockers.All(ParameterBlockers.Contains);
}

/// <summary>
/// Blue/Green's documented limits for Aurora (AWS-NOTES "Blue/Green Deployments") applied to one cluster:
/// every blocker the API can show is named, and what it cannot show is said as a warning.
/// </summary>
public static class BlueGreenEligibility
{
    public static async Task<BlueGreenVerdict> EvaluateAsync(RekeyRun run, DBCluster cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(cluster);
        return Judge(await ReadAsync(run, cluster, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<BlueGreenFacts> ReadAsync(RekeyRun run, DBCluster cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(cluster);
        var integrations = new List<Integration>();
        await foreach (var integration in run.Rds.DescribeIntegrationsAllAsync(new DescribeIntegrationsRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(integration.SourceArn, cluster.DBClusterArn, StringComparison.Ordinal))
            {
                integrations.Add(integration);
            }
        }

        var foreign = (await BlueGreenDeployments.OfSourceAsync(run, cluster.DBClusterArn!, cancellationToken).ConfigureAwait(false))
            .Where(d => !BlueGreenDeployments.IsRekeys(d, run.ClusterId))
            .ToList();

        var parameters = new ClusterParameters(run.Rds);
        var check = cluster.IsAurora() && cluster.DBClusterParameterGroup is not null
            ? await parameters.BlueGreenAsync(cluster, cancellationToken).ConfigureAwait(false)
            : null;
        string? eventScheduler = null;
        if (string.Equals(cluster.Engine, "aurora-mysql", StringComparison.Ordinal) && cluster.DBClusterParameterGroup is not null)
        {
            eventScheduler = (await parameters.ClusterValueAsync(cluster, "event_scheduler", cancellationToken).ConfigureAwait(false))?.Value;
        }

        var inGlobal = !string.IsNullOrEmpty(cluster.GlobalClusterIdentifier);
        if (!inGlobal)
        {
            await foreach (var global in run.Rds.DescribeGlobalClustersAllAsync(new DescribeGlobalClustersRequest(), cancellationToken).ConfigureAwait(false))
            {
                inGlobal |= global.GlobalClusterMembers?.Any(m => string.Equals(m.DBClusterArn, cluster.DBClusterArn, StringComparison.Ordinal)) == true;
            }
        }

        ReplicaScaling? scaling = null;
        string? unreadable = null;
        try
        {
            scaling = await ReplicaAutoScaling.ReadAsync(run, cluster.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (ReplicaAutoScaling.IsAccessDenied(exception))
        {
            unreadable = $"{exception.ErrorCode}: {exception.Message}";
        }

        return new BlueGreenFacts
        {
            ReplicaScaling = scaling,
            ReplicaScalingUnreadable = unreadable,
            Cluster = cluster,
            Integrations = integrations,
            ForeignDeployments = foreign,
            Parameters = check,
            EventScheduler = eventScheduler,
            InGlobalCluster = inGlobal,
        };
    }

    /// <summary>The verdict from the facts alone: every blocker at once, the fixable ones with their cost.</summary>
    public static BlueGreenVerdict Judge(BlueGreenFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var id = facts.Cluster.DBClusterIdentifier;
        var blockers = new List<string>();
        var fixes = new List<string>();
        blockers.AddRange(ClusterBlockers(facts));
        blockers.AddRange(facts.Integrations.Select(integration =>
            $"Zero-ETL integration {integration.IntegrationName} ({integration.IntegrationArn}) has {id} as its source; "
            + "it must be deleted before a switchover and re-created after."));
        blockers.AddRange(facts.ForeignDeployments.Select(deployment =>
            $"Blue/Green deployment {deployment.BlueGreenDeploymentName} ({deployment.BlueGreenDeploymentIdentifier}, {deployment.Status}) already has {id} "
            + "as its source; a cluster can be the source of one deployment only. Delete it or let it finish."));

        var parameterBlockers = ParameterBlockers(facts, fixes);
        blockers.AddRange(parameterBlockers);
        blockers.AddRange(DatabaseBlockers(facts));
        return new BlueGreenVerdict
        {
            Blockers = blockers,
            Fixes = fixes,
            Warnings = Warnings(facts),
            ParameterBlockers = parameterBlockers,
            MissingParameter = parameterBlockers.Count > 0 ? facts.Parameters?.Need.Name : null,
        };
    }

    /// <summary>What the cluster itself is that Blue/Green does not support: its engine and mode, a managed secret, replication, backtrack.</summary>
    private static List<string> ClusterBlockers(BlueGreenFacts facts)
    {
        var cluster = facts.Cluster;
        var id = cluster.DBClusterIdentifier;
        var blockers = new List<string>();
        if (!cluster.IsAurora())
        {
            blockers.Add($"{id} runs {cluster.Engine}, not Aurora.");
        }

        if (cluster.MasterUserSecret is { SecretArn: { } secret })
        {
            blockers.Add(
                $"{id} keeps its master password in Secrets Manager ({secret}); Blue/Green does not support a managed master password. "
                + "Turn it off (ModifyDBCluster --no-manage-master-user-password) or use restore-swap.");
        }

        if (string.Equals(cluster.EngineMode, "serverless", StringComparison.OrdinalIgnoreCase))
        {
            blockers.Add($"{id} is Aurora Serverless v1, which Blue/Green does not support.");
        }

        if (string.Equals(cluster.ClusterScalabilityType, "limitless", StringComparison.OrdinalIgnoreCase))
        {
            blockers.Add($"{id} is an Aurora Limitless Database cluster.");
        }

        if (facts.InGlobalCluster)
        {
            blockers.Add($"{id} is a member of a global database, which Blue/Green does not support.");
        }

        if (cluster.ReadReplicaIdentifiers is { Count: > 0 } replicas)
        {
            blockers.Add($"{id} has cross-Region read replicas ({string.Join(", ", replicas)}); Blue/Green does not support them.");
        }

        if (!string.IsNullOrEmpty(cluster.ReplicationSourceIdentifier))
        {
            blockers.Add($"{id} is itself a replica of {cluster.ReplicationSourceIdentifier}; Blue/Green does not support a replica as blue.");
        }

        if (cluster.BacktrackWindow is > 0)
        {
            blockers.Add(
                $"{id} uses backtrack (window {cluster.BacktrackWindow} s); the green cluster has no backtrack and a backtrack on blue breaks replication. "
                + "Set the window to 0 or use restore-swap.");
        }

        return blockers;
    }

    /// <summary>The parameters Blue/Green's replication needs, the last blocker naming the one command that mends them all; the fix for the plan.</summary>
    private static List<string> ParameterBlockers(BlueGreenFacts facts, List<string> fixes)
    {
        var parameterBlockers = new List<string>();
        if (facts.Parameters is { } parameters && !parameters.IsReady)
        {
            var id = facts.Cluster.DBClusterIdentifier;
            parameterBlockers.AddRange(parameters.Blockers());

            // The last of them names the one command that mends them all, so a refusal says what to run.
            parameterBlockers[^1] += $" To fix: ./build.sh --target=PrepareBlueGreenParameters --cluster={id} --{ArgumentNames.FixParameterGroup} --confirm={id} "
                + $"(one writer reboot, about {ShorterWithReboot.RebootOutageSeconds} s of failed writes), or set {parameters.Need.Name} yourself and reboot the writer.";
            if (BlueGreenParameters.Describe(parameters) is { } fix)
            {
                fixes.Add(fix);
            }
        }

        return parameterBlockers;
    }

    /// <summary>What inside the database Blue/Green cannot replicate: a database named tmp, the event scheduler on.</summary>
    private static List<string> DatabaseBlockers(BlueGreenFacts facts)
    {
        var cluster = facts.Cluster;
        var blockers = new List<string>();
        if (string.Equals(cluster.DatabaseName, "tmp", StringComparison.Ordinal))
        {
            blockers.Add($"{cluster.DBClusterIdentifier}'s database is named tmp, which Blue/Green cannot replicate; rename it or use restore-swap.");
        }

        if (facts.EventScheduler is { } scheduler && (scheduler == "1" || string.Equals(scheduler, "ON", StringComparison.OrdinalIgnoreCase)))
        {
            blockers.Add(
                $"event_scheduler is {scheduler} in {cluster.DBClusterParameterGroup}; Blue/Green needs it off while the deployment replicates "
                + "(events would run on both sides). Turn it off, and on again after the switchover.");
        }

        return blockers;
    }

    /// <summary>What the operator should know: the green's encryption, the engine's replication limits, what Rekey re-creates after the switchover.</summary>
    private static List<string> Warnings(BlueGreenFacts facts)
    {
        var cluster = facts.Cluster;
        var id = cluster.DBClusterIdentifier;
        var warnings = new List<string>();
        if (cluster.IsUnencrypted())
        {
            warnings.Add(
                $"{id} is not encrypted; the green cluster is encrypted with the target key "
                + "(TargetResourceConfiguration's TargetKmsKeyId, which AWS documents for an unencrypted blue).");
        }
        else if (cluster.IsAwsOwned())
        {
            warnings.Add($"{id} is on an AWS owned key (sse-rds); the green cluster is encrypted with the target key (TargetResourceConfiguration's TargetKmsKeyId).");
        }

        if (string.Equals(cluster.Engine, "aurora-postgresql", StringComparison.Ordinal))
        {
            var secretArgument = "--" + Configuration.ArgumentNames.DatabaseSecretArn;
            var sequences = cluster.HttpEndpointEnabled == true
                ? $"its RDS Data API is on: with {secretArgument} Rekey advances them itself, without it Rekey stops after the switchover with the setval statements"
                : $"its RDS Data API is off: Rekey stops after the switchover with the setval statements (EnableHttpEndpoint and {secretArgument} let Rekey advance them)";
            warnings.Add(
                $"Aurora PostgreSQL: logical replication does not carry sequences ({sequences}), skips unlogged tables, "
                + "and DDL or large-object changes on blue during the deployment degrade replication; blue must not be a logical publisher or subscriber, "
                + "which the RDS API cannot show: check pg_publication and pg_subscription.");
        }
        else if (string.Equals(cluster.Engine, "aurora-mysql", StringComparison.Ordinal))
        {
            warnings.Add(
                "Aurora MySQL: an external binlog replica of this cluster is not carried by the switchover, and the RDS API cannot show one: "
                + "check SHOW REPLICAS on the writer.");
        }

        warnings.Add(
            "Blue/Green does not carry custom endpoints or Application Auto Scaling of Aurora replicas (target and policies); "
            + "Rekey records them when it creates the deployment and re-creates them on the new cluster after the switchover.");
        if (facts.ReplicaScalingUnreadable is { } why)
        {
            warnings.Add(
                $"The Application Auto Scaling of {id} could not be read ({why}): grant {ReplicaAutoScaling.DescribePermissions} to the role, "
                + "or Rekey cannot re-create its auto scaling after the switchover.");
        }
        else if (facts.ReplicaScaling is { } scaling)
        {
            warnings.Add($"{id} has {ReplicaAutoScaling.Describe(scaling)}; Rekey re-creates it on the new cluster after the switchover (the old blue keeps its own).");
        }

        return warnings;
    }

    /// <summary>
    /// The strategy to use and why, given what was asked, the verdict and what blocks restore-swap alone. auto chooses among
    /// what is possible without an extra reboot: Blue/Green when nothing blocks it, else restore-swap, unless restore-swap
    /// cannot move the cluster at all (an unencrypted source), where Blue/Green is the only way and its blockers stand.
    /// It says when a writer reboot first (the parameter fix) would make Blue/Green, the shorter outage, possible.
    /// </summary>
    public static (CutoverStrategy Strategy, string Reason) Choose(CutoverStrategy asked, BlueGreenVerdict verdict, IReadOnlyList<string>? restoreSwapBlocks = null)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var swapBlocks = restoreSwapBlocks ?? [];
        return asked switch
        {
            CutoverStrategy.BlueGreen => (CutoverStrategy.BlueGreen, "--strategy=blue-green was asked for."),
            CutoverStrategy.RestoreSwap => (CutoverStrategy.RestoreSwap, "--strategy=restore-swap was asked for."),
            _ when verdict.Eligible => (CutoverStrategy.BlueGreen, "auto: nothing blocks Blue/Green, whose switchover is typically under a minute of write outage."),
            _ when swapBlocks.Count > 0 => (CutoverStrategy.BlueGreen,
                $"auto: restore-swap cannot move this cluster ({string.Join(" ", swapBlocks)}), so Blue/Green, the only way out; "
                + (verdict.OnlyParameterBlocks
                    ? $"it needs {verdict.MissingParameter} in effect first: run PrepareBlueGreenParameters with --{ArgumentNames.FixParameterGroup} (one writer reboot, "
                        + $"about {ShorterWithReboot.RebootOutageSeconds} s of failed writes)."
                    : $"it is blocked ({string.Join(" ", verdict.Blockers)}).")),
            _ when verdict.OnlyParameterBlocks => (CutoverStrategy.RestoreSwap,
                $"auto: Blue/Green is blocked only by {verdict.MissingParameter} ({string.Join(" ", verdict.Blockers)}), so restore-swap, the way out without an extra reboot. "
                + $"Shorter with one reboot: {ShorterWithReboot.Name(verdict.MissingParameter)} first (PrepareBlueGreenParameters --{ArgumentNames.FixParameterGroup}, "
                + $"about {ShorterWithReboot.RebootOutageSeconds} s of failed writes now), then Blue/Green (a switchover typically under a minute)."),
            _ => (CutoverStrategy.RestoreSwap, $"auto: Blue/Green is blocked ({verdict.Blockers.Count} reason{(verdict.Blockers.Count == 1 ? string.Empty : "s")}: "
                + $"{string.Join(" ", verdict.Blockers)}), so restore-swap."),
        };
    }
}
