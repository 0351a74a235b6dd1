using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;

namespace Rekey.BlueGreen;

/// <summary>What the Blue/Green steps read of a deployment and how they describe it.</summary>
public static class BlueGreenReads
{
    /// <summary>The deployment's green cluster, from the ARN AWS names as its target.</summary>
    public static async Task<DBCluster?> GreenAsync(RekeyRun run, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(deployment);
        if (deployment.Target is not { } arn)
        {
            return null;
        }

        var id = arn[(arn.LastIndexOf(':') + 1)..];
        return await new ClusterReader(run.Rds).FindClusterAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public static string Describe(BlueGreenDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return $"{deployment.Status}{(deployment.StatusDetails is { Length: > 0 } details ? $" ({details})" : string.Empty)}; {TasksOf(deployment)}";
    }

    public static string TasksOf(BlueGreenDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.Tasks is { Count: > 0 } tasks
            ? "tasks " + string.Join(", ", tasks.Select(t => $"{t.Name} {t.Status}"))
            : "no tasks listed";
    }

    internal static TimeSpan Capped(RekeyRun run, TimeSpan deadline) =>
        run.Settings.MaxWait is { } max && max < deadline ? max : deadline;

    /// <summary>The identifier at the end of an ARN, for messages.</summary>
    public static string NameIn(string? arn) => arn is null ? "(unknown)" : arn[(arn.LastIndexOf(':') + 1)..];
}
