using Amazon.Runtime;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Strategies;

/// <summary>
/// Rekey's Blue/Green deployments and the tags that carry a Blue/Green cutover's state: the deployment
/// object is tagged as Rekey's when it is created; the blue cluster carries the lock, the phase, the
/// target key and the recorded custom endpoints, and keeps them when the switchover renames it.
/// </summary>
public static class BlueGreenDeployments
{
    /// <summary><c>blue-green</c> on the blue cluster (and on the deployment object) of a Blue/Green cutover.</summary>
    public const string StrategyTag = "rekey:strategy";

    public const string StrategyValue = "blue-green";

    /// <summary>On the blue cluster: the deployment's identifier, once created.</summary>
    public const string DeploymentTag = "rekey:bg-deployment";

    /// <summary>On the blue cluster: when the switchover completed, ISO 8601 on AWS's clock (Cleanup's holding period counts from it).</summary>
    public const string SwitchedAtTag = "rekey:switched-at";

    /// <summary>On the blue cluster: when the switchover was asked for, ISO 8601 on AWS's clock.</summary>
    public const string SwitchoverStartedTag = "rekey:switchover-started-at";

    /// <summary>On the blue cluster: when the deployment was asked for, ISO 8601 on AWS's clock.</summary>
    public const string CreatedAtTag = "rekey:bg-created-at";

    public const string Creating = "bg-creating";
    public const string Provisioned = "bg-provisioned";
    public const string Switching = "bg-switching";
    public const string Switched = "bg-switched";
    public const string Verified = "verified";

    /// <summary>The name of Rekey's deployment: 1 to 60 characters of <c>[a-zA-Z](?:-?[a-zA-Z0-9]+)*</c>.</summary>
    public static string NameFor(string clusterId)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        var name = "rekey-" + clusterId;
        return name.Length <= 60 ? name : name[..60].TrimEnd('-');
    }

    /// <summary>The name AWS gives the old blue cluster at the switchover.</summary>
    public static string OldBlueId(string clusterId) => clusterId + "-old1";

    public static bool IsRekeys(BlueGreenDeployment deployment, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var tags = ClusterFacts.TagsOf(deployment.TagList);
        return tags.GetValueOrDefault(StrategyTag) == StrategyValue && tags.GetValueOrDefault(RekeyTags.OriginalId) == clusterId;
    }

    public static bool IsBlueOf(DBCluster? cluster, string clusterId) =>
        cluster is not null
        && cluster.Tag(StrategyTag) == StrategyValue
        && cluster.Tag(RekeyTags.OriginalId) == clusterId;

    /// <summary>Every deployment whose source is <paramref name="sourceArn"/>.</summary>
    public static async Task<IReadOnlyList<BlueGreenDeployment>> OfSourceAsync(RekeyRun run, string sourceArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var found = new List<BlueGreenDeployment>();
        await foreach (var deployment in run.Rds.DescribeBlueGreenDeploymentsAllAsync(new DescribeBlueGreenDeploymentsRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(deployment.Source, sourceArn, StringComparison.Ordinal))
            {
                found.Add(deployment);
            }
        }

        return found;
    }

    /// <summary>Rekey's deployment for the run's cluster, wherever the switchover got; null when there is none.</summary>
    public static async Task<BlueGreenDeployment?> FindAsync(RekeyRun run, string? identifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (identifier is not null)
        {
            try
            {
                var response = await run.Rds.DescribeBlueGreenDeploymentsAsync(
                    new DescribeBlueGreenDeploymentsRequest { BlueGreenDeploymentIdentifier = identifier }, cancellationToken).ConfigureAwait(false);
                if (response.BlueGreenDeployments?.FirstOrDefault() is { } byId)
                {
                    return byId;
                }
            }
            catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentNotFoundFault")
            {
                return null;
            }
        }

        // A crash between CreateBlueGreenDeployment and the tag that records its id: find it by name and tags.
        var name = NameFor(run.ClusterId);
        await foreach (var deployment in run.Rds.DescribeBlueGreenDeploymentsAllAsync(new DescribeBlueGreenDeploymentsRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (deployment.BlueGreenDeploymentName == name && IsRekeys(deployment, run.ClusterId))
            {
                return deployment;
            }
        }

        return null;
    }
}

/// <summary>Where a Blue/Green cutover of one cluster stands, read from AWS alone.</summary>
public sealed record BlueGreenState(DBCluster? AtOriginalName, DBCluster? OldBlue, BlueGreenDeployment? Deployment)
{
    /// <summary>The blue cluster, before or after the switchover: it carries the lock and the phase.</summary>
    public DBCluster? Blue => OldBlue ?? (IsBlueTagged(AtOriginalName) ? AtOriginalName : null);

    public IReadOnlyDictionary<string, string> BlueTags => Blue?.Tags() ?? new Dictionary<string, string>();

    public string? Phase => BlueTags.GetValueOrDefault(RekeyTags.Phase);

    public string? LockHolder => BlueTags.GetValueOrDefault(RekeyTags.Lock);

    public string? TargetKeyArn => BlueTags.GetValueOrDefault(RekeyTags.TargetKey);

    /// <summary>The switchover renamed blue: the cluster under the original name is the former green.</summary>
    public bool IsSwitchedOver => OldBlue is not null;

    /// <summary>
    /// A Blue/Green cutover of this cluster has started and not been verified or rolled back, or was
    /// marked so by a run that died before it released its lock (the rerun resumes and releases it).
    /// </summary>
    public bool IsUnderWay => Blue is not null && (Phase is not (BlueGreenDeployments.Verified or "rolled-back") || LockHolder is not null);

    public SourceDefinition? Definition => TagChunks.Decode<SourceDefinition>(RekeyTags.DefinitionChunk, BlueTags);

    public static async Task<BlueGreenState> ReadAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new ClusterReader(run.Rds);
        var found = await reader.FindClustersAsync([run.ClusterId, BlueGreenDeployments.OldBlueId(run.ClusterId)], cancellationToken).ConfigureAwait(false);
        return await OfAsync(run, found, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The state from clusters just read (by identifier, the original name's and the old blue's among them); reads only the deployment.</summary>
    public static async Task<BlueGreenState> OfAsync(RekeyRun run, IReadOnlyDictionary<string, DBCluster> found, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(found);
        var atOriginal = found.GetValueOrDefault(run.ClusterId);
        var oldBlue = found.GetValueOrDefault(BlueGreenDeployments.OldBlueId(run.ClusterId));
        if (!BlueGreenDeployments.IsBlueOf(oldBlue, run.ClusterId))
        {
            oldBlue = null;
        }

        var blue = oldBlue ?? (BlueGreenDeployments.IsBlueOf(atOriginal, run.ClusterId) ? atOriginal : null);
        var deployment = blue is null
            ? null
            : await BlueGreenDeployments.FindAsync(run, blue.Tag(BlueGreenDeployments.DeploymentTag), cancellationToken).ConfigureAwait(false);
        return new BlueGreenState(atOriginal, oldBlue, deployment);
    }

    /// <summary>Whether the cluster carries a Blue/Green cutover's tags (read without the Blue/Green API, so restore-swap runs never call it).</summary>
    public static async Task<bool> IsBlueGreenCutoverAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new ClusterReader(run.Rds);
        var oldBlueId = BlueGreenDeployments.OldBlueId(run.ClusterId);
        var found = await reader.FindClustersAsync([run.ClusterId, oldBlueId], cancellationToken).ConfigureAwait(false);
        return BlueGreenDeployments.IsBlueOf(found.GetValueOrDefault(run.ClusterId), run.ClusterId)
            || BlueGreenDeployments.IsBlueOf(found.GetValueOrDefault(oldBlueId), run.ClusterId);
    }

    private bool IsBlueTagged(DBCluster? cluster) =>
        cluster is not null && cluster.Tag(BlueGreenDeployments.StrategyTag) == BlueGreenDeployments.StrategyValue && cluster.Tag(RekeyTags.OriginalId) is not null
        && cluster.Tag(RekeyTags.OriginalId) == cluster.DBClusterIdentifier;
}
