using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// Applies what the restore request cannot carry: IAM roles, custom endpoints under their names and
/// members, RDS Proxy targets, and the settings only ModifyDBCluster takes; then releases the lock.
/// </summary>
public static class Finalize
{
    public static StepRules Rules { get; } = StepRules.Of(
        "Finalize", LockRule.Hold, ClusterExpectation.Restored, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(
            nameof(IAmazonRDS.AddRoleToDBClusterAsync),
            nameof(IAmazonRDS.ModifyDBClusterAsync),
            nameof(IAmazonRDS.CreateDBClusterEndpointAsync),
            nameof(IAmazonRDS.DeleteDBClusterEndpointAsync),
            nameof(IAmazonRDS.RegisterDBProxyTargetsAsync),
            nameof(IAmazonRDS.DeregisterDBProxyTargetsAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.Rds(nameof(IAmazonRDS.DescribeDBProxiesAsync), nameof(IAmazonRDS.DescribeDBProxyTargetsAsync)));

    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var target = state.Target ?? throw new InvalidOperationException($"The new cluster {run.ClusterId} does not exist: run Restore first.");
        var source = state.Source ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} is gone.");
        var definition = state.Definition ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} carries no recorded definition.");

        await AddRolesAsync(run, source, target, cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, "associating IAM roles", cancellationToken).ConfigureAwait(false);
        await ApplyModifiableSettingsAsync(run, reader, source, target, cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, $"modifying {run.ClusterId}", cancellationToken).ConfigureAwait(false);
        await CustomEndpoints.CreateAsync(run, definition, run.ClusterId, "Finalize", clusterTags: null, cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, "creating the custom endpoints", cancellationToken).ConfigureAwait(false);
        await ProxyTargets.MoveAsync(run, run.OldClusterId, run.ClusterId, "Finalize", cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, "moving RDS Proxy targets", cancellationToken).ConfigureAwait(false);

        await run.Rds.AddAsync(source.DBClusterArn!, RekeyTags.Phase, "finalized", cancellationToken).ConfigureAwait(false);
        var fresh = await reader.GetClusterAsync(run.OldClusterId, cancellationToken).ConfigureAwait(false);
        await ClusterLock.ReleaseAsync(run, fresh, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the lock after each part, so that a run that lost it makes no further change.</summary>
    private static Task StillLockedAsync(RekeyRun run, string change, CancellationToken cancellationToken) =>
        ClusterLock.EnsureHeldAsync(run, "Finalize", change, mustBePresent: false, cancellationToken);

    private static async Task AddRolesAsync(RekeyRun run, DBCluster source, DBCluster target, CancellationToken cancellationToken)
    {
        var present = (target.AssociatedRoles ?? []).Select(r => (r.RoleArn, r.FeatureName)).ToHashSet();
        foreach (var role in source.AssociatedRoles ?? [])
        {
            if (present.Contains((role.RoleArn, role.FeatureName)))
            {
                continue;
            }

            try
            {
                await run.Rds.AddRoleToDBClusterAsync(
                    new AddRoleToDBClusterRequest { DBClusterIdentifier = run.ClusterId, RoleArn = role.RoleArn, FeatureName = string.IsNullOrEmpty(role.FeatureName) ? null : role.FeatureName },
                    cancellationToken).ConfigureAwait(false);
                run.Journal.Add("Finalize", $"Associated IAM role {role.RoleArn}{(string.IsNullOrEmpty(role.FeatureName) ? string.Empty : $" for {role.FeatureName}")}.");
            }
            catch (DBClusterRoleAlreadyExistsException)
            {
                // Associated by an earlier attempt.
            }
        }
    }

    private static async Task ApplyModifiableSettingsAsync(RekeyRun run, ClusterReader reader, DBCluster source, DBCluster target, CancellationToken cancellationToken)
    {
        var request = new ModifyDBClusterRequest { DBClusterIdentifier = run.ClusterId, ApplyImmediately = true };
        var changes = new List<string>();
        if (source.PreferredMaintenanceWindow is { } window && !string.Equals(window, target.PreferredMaintenanceWindow, StringComparison.OrdinalIgnoreCase))
        {
            request.PreferredMaintenanceWindow = window;
            changes.Add($"maintenance window {window}");
        }

        if ((source.DeletionProtection ?? false) != (target.DeletionProtection ?? false))
        {
            request.DeletionProtection = source.DeletionProtection ?? false;
            changes.Add($"deletion protection {(request.DeletionProtection == true ? "on" : "off")}");
        }

        if ((source.HttpEndpointEnabled ?? false) != (target.HttpEndpointEnabled ?? false))
        {
            request.EnableHttpEndpoint = source.HttpEndpointEnabled ?? false;
            changes.Add($"Data API {(request.EnableHttpEndpoint == true ? "on" : "off")}");
        }

        var forwarding = string.Equals(source.LocalWriteForwardingStatus, "enabled", StringComparison.OrdinalIgnoreCase);
        if (forwarding && !string.Equals(target.LocalWriteForwardingStatus, "enabled", StringComparison.OrdinalIgnoreCase))
        {
            request.EnableLocalWriteForwarding = true;
            changes.Add("local write forwarding");
        }

        if (source.MasterUserSecret is not null && target.MasterUserSecret is null && run.Settings.AcceptNewMasterSecret)
        {
            request.ManageMasterUserPassword = true;
            changes.Add("master password managed in Secrets Manager (a new secret)");
        }

        if (changes.Count == 0)
        {
            return;
        }

        await run.Rds.ModifyDBClusterAsync(request, cancellationToken).ConfigureAwait(false);
        run.Journal.Add("Finalize", $"Modified {run.ClusterId}: {string.Join(", ", changes)}.");
        await run.Wait.UntilAsync(
            $"{run.ClusterId} to apply its modifications",
            run.Wait.Settings.RenameDeadline,
            async token =>
            {
                var cluster = await reader.GetClusterAsync(run.ClusterId, token).ConfigureAwait(false);
                return cluster.IsAvailable() ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, cluster.Status ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);
    }
}
