using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;

namespace Rekey.Clusters;

/// <summary>A parameter's value as a parameter group reports it: the user's value, else the engine's default (null when it has none).</summary>
public sealed record ParameterReading(string Group, string Name, string? Value, string? Source, string? ApplyType)
{
    public bool IsStatic => string.Equals(ApplyType, "static", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The cluster-level parameter an engine's Blue/Green replication needs, and the value Rekey's fix sets.</summary>
public sealed record BlueGreenParameterNeed(string Engine, string Name, string FixValue, string Meaning)
{
    /// <summary>Aurora MySQL: binary logging on (any format works; AWS recommends ROW). Aurora PostgreSQL: logical replication on.</summary>
    public static BlueGreenParameterNeed? For(string? engine) => engine switch
    {
        "aurora-mysql" => new(engine, "binlog_format", "ROW", "binary logging on (binlog_format not OFF)"),
        "aurora-postgresql" => new(engine, "rds.logical_replication", "1", "logical replication on (rds.logical_replication=1)"),
        _ => null,
    };

    public bool IsMetBy(string? value) => Engine == "aurora-mysql"
        ? value is { Length: > 0 } && !string.Equals(value, "OFF", StringComparison.OrdinalIgnoreCase)
        : value == "1";
}

/// <summary>What a cluster's parameters say about Blue/Green: the needed parameter's value, its group, and whether the writer runs with it.</summary>
public sealed record BlueGreenParameterCheck(
    string ClusterId,
    BlueGreenParameterNeed Need,
    string ClusterParameterGroup,
    ParameterReading? Reading,
    string? WriterId,
    string? WriterClusterParameterGroupStatus)
{
    /// <summary>A default group cannot be modified, and Blue/Green asks for a custom one.</summary>
    public bool IsDefaultGroup => ClusterParameters.IsDefaultGroup(ClusterParameterGroup);

    public bool ValueIsSet => Reading is not null && Need.IsMetBy(Reading.Value);

    /// <summary>The writer has applied its cluster parameter group (DBClusterParameterGroupStatus in-sync).</summary>
    public bool WriterInSync => WriterClusterParameterGroupStatus == ClusterParameters.InSync;

    public bool IsReady => !IsDefaultGroup && ValueIsSet && WriterInSync;

    /// <summary>Every reason the parameters block Blue/Green, at once; empty when ready.</summary>
    public IReadOnlyList<string> Blockers()
    {
        var blockers = new List<string>();
        if (IsDefaultGroup)
        {
            blockers.Add($"DB cluster {ClusterId} uses the default cluster parameter group {ClusterParameterGroup}; Blue/Green needs a custom one with {Need.Meaning}.");
        }

        if (!ValueIsSet)
        {
            blockers.Add($"Cluster parameter group {ClusterParameterGroup} has {Need.Name}={Reading?.Value ?? "(no value)"}; Blue/Green needs {Need.Meaning}.");
        }

        if (!WriterInSync)
        {
            blockers.Add($"The writer {WriterId ?? "(none)"} is {WriterClusterParameterGroupStatus ?? "not a member"} with cluster parameter group {ClusterParameterGroup}, not in-sync: "
                + "it must be rebooted first.");
        }

        return blockers;
    }
}

/// <summary>
/// Reads parameter values as RDS reports them: a cluster's from its DB cluster parameter group, an
/// instance's from its DB parameter group, and whether the cluster's members have applied their group.
/// </summary>
public sealed class ClusterParameters(IAmazonRDS rds)
{
    public const string InSync = "in-sync";
    public const string PendingReboot = "pending-reboot";

    public static bool IsDefaultGroup(string group) => group.StartsWith("default.", StringComparison.Ordinal);

    /// <summary>The named parameter of a DB cluster parameter group, or null when the group has no such parameter.</summary>
    public async Task<ParameterReading?> ClusterGroupValueAsync(string group, string name, CancellationToken cancellationToken)
    {
        var request = new DescribeDBClusterParametersRequest
        {
            DBClusterParameterGroupName = group,
            Filters = [new Filter { Name = "parameter-name", Values = [name] }],
        };

        // The filter narrows the answer; the name is checked again in case a page brings others.
        await foreach (var parameter in rds.DescribeDBClusterParametersAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (parameter.ParameterName == name)
            {
                return Reading(group, parameter);
            }
        }

        return null;
    }

    /// <summary>The named parameter of a DB (instance) parameter group, or null when the group has no such parameter.</summary>
    public async Task<ParameterReading?> InstanceGroupValueAsync(string group, string name, CancellationToken cancellationToken)
    {
        var request = new DescribeDBParametersRequest
        {
            DBParameterGroupName = group,
            Filters = [new Filter { Name = "parameter-name", Values = [name] }],
        };
        await foreach (var parameter in rds.DescribeDBParametersAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (parameter.ParameterName == name)
            {
                return Reading(group, parameter);
            }
        }

        return null;
    }

    /// <summary>The cluster's value of a cluster-level parameter (its cluster parameter group's user value, else the engine default).</summary>
    public Task<ParameterReading?> ClusterValueAsync(DBCluster cluster, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return ClusterGroupValueAsync(
            cluster.DBClusterParameterGroup ?? throw new InvalidOperationException($"DB cluster {cluster.DBClusterIdentifier} reports no cluster parameter group."),
            name,
            cancellationToken);
    }

    /// <summary>The writer's value of an instance-level parameter, from the writer's DB parameter group; null without a writer.</summary>
    public async Task<ParameterReading?> WriterValueAsync(DBCluster cluster, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.WriterId() is not { } writerId ||
            await new ClusterReader(rds).FindInstanceAsync(writerId, cancellationToken).ConfigureAwait(false) is not { } writer ||
            writer.DBParameterGroups?.FirstOrDefault()?.DBParameterGroupName is not { } group)
        {
            return null;
        }

        return await InstanceGroupValueAsync(group, name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The writer's DBClusterParameterGroupStatus (in-sync, pending-reboot, applying), or null without a writer.</summary>
    public static string? WriterClusterParameterGroupStatus(DBCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.DBClusterMembers?.FirstOrDefault(m => m.IsClusterWriter == true)?.DBClusterParameterGroupStatus;
    }

    /// <summary>What the cluster's parameters say about Blue/Green; null for an engine without Blue/Green parameter needs.</summary>
    public async Task<BlueGreenParameterCheck?> BlueGreenAsync(DBCluster cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (BlueGreenParameterNeed.For(cluster.Engine) is not { } need)
        {
            return null;
        }

        var reading = await ClusterValueAsync(cluster, need.Name, cancellationToken).ConfigureAwait(false);
        return new BlueGreenParameterCheck(
            cluster.DBClusterIdentifier!,
            need,
            cluster.DBClusterParameterGroup!,
            reading,
            cluster.WriterId(),
            WriterClusterParameterGroupStatus(cluster));
    }

    private static ParameterReading Reading(string group, Parameter parameter) =>
        new(group, parameter.ParameterName!, parameter.ParameterValue, parameter.Source, parameter.ApplyType);
}
