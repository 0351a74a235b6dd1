using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.ApplicationAutoScaling.Model;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Strategies;

/// <summary>
/// The Application Auto Scaling of an Aurora cluster's replicas (ResourceId <c>cluster:&lt;id&gt;</c>). Blue/Green
/// does not copy it; the hostile reading is that after the switchover <c>cluster:&lt;id&gt;</c> has neither target
/// nor policies, so CreateBlueGreen records them on blue and VerifyBlueGreen registers them again.
/// </summary>
public static class ReplicaAutoScaling
{
    public const string Namespace = "rds";

    public const string Dimension = "rds:cluster:ReadReplicaCount";

    /// <summary>The IAM actions reading it needs, named when they are missing.</summary>
    public const string DescribePermissions = "application-autoscaling:DescribeScalableTargets and application-autoscaling:DescribeScalingPolicies";

    public static string ResourceIdOf(string clusterId) => "cluster:" + clusterId;

    /// <summary>The cluster's scalable target and its policies, or null when it has no scalable target.</summary>
    public static async Task<ReplicaScaling?> ReadAsync(RekeyRun run, string clusterId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var target = await TargetAsync(run, clusterId, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return null;
        }

        var policies = await PoliciesAsync(run, clusterId, cancellationToken).ConfigureAwait(false);
        return new ReplicaScaling(
            target.MinCapacity ?? 0,
            target.MaxCapacity ?? 0,
            [.. policies.Select(p => new ReplicaScalingPolicy(p.PolicyName!, p.PolicyType ?? PolicyType.StepScaling, p.TargetTrackingScalingPolicyConfiguration, p.StepScalingPolicyConfiguration))]);
    }

    /// <summary>Whether AWS refused the call for want of a permission.</summary>
    public static bool IsAccessDenied(AmazonServiceException exception) =>
        exception?.ErrorCode is "AccessDeniedException" or "AccessDenied";

    /// <summary>One line for the journal and warnings.</summary>
    public static string Describe(ReplicaScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        var policies = scaling.Policies.Count == 0 ? "no scaling policy" : "policies " + string.Join(", ", scaling.Policies.Select(p => $"{p.Name} ({p.PolicyType})"));
        return $"replica auto scaling {scaling.MinCapacity}-{scaling.MaxCapacity} with {policies}";
    }

    /// <summary>
    /// After the switchover: registers the recorded target for <c>cluster:&lt;id&gt;</c> and puts each recorded policy
    /// that is missing, then checks they are there. What exists is left as it is, so a rerun changes nothing.
    /// </summary>
    public static async Task RestoreAsync(RekeyRun run, ReplicaScaling recorded, string step, Checks.Checklist checks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(checks);
        await RecreateAsync(run, recorded, step, cancellationToken).ConfigureAwait(false);
        await CheckRecreatedAsync(run, recorded, checks, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The scalable target registered again, and each recorded policy the new cluster lacks put again.</summary>
    private static async Task RecreateAsync(RekeyRun run, ReplicaScaling recorded, string step, CancellationToken cancellationToken)
    {
        var resourceId = ResourceIdOf(run.ClusterId);
        if (await TargetAsync(run, run.ClusterId, cancellationToken).ConfigureAwait(false) is null)
        {
            await run.AutoScaling.RegisterScalableTargetAsync(
                new RegisterScalableTargetRequest
                {
                    ServiceNamespace = Namespace,
                    ResourceId = resourceId,
                    ScalableDimension = Dimension,
                    MinCapacity = recorded.MinCapacity,
                    MaxCapacity = recorded.MaxCapacity,
                },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add(step, $"Registered {resourceId} with Application Auto Scaling again: {recorded.MinCapacity}-{recorded.MaxCapacity} replicas.");
        }

        var existing = (await PoliciesAsync(run, run.ClusterId, cancellationToken).ConfigureAwait(false))
            .Select(p => p.PolicyName).ToHashSet(StringComparer.Ordinal);
        foreach (var policy in recorded.Policies.Where(p => !existing.Contains(p.Name)))
        {
            await run.AutoScaling.PutScalingPolicyAsync(
                new PutScalingPolicyRequest
                {
                    PolicyName = policy.Name,
                    ServiceNamespace = Namespace,
                    ResourceId = resourceId,
                    ScalableDimension = Dimension,
                    PolicyType = policy.PolicyType,
                    TargetTrackingScalingPolicyConfiguration = policy.TargetTracking,
                    StepScalingPolicyConfiguration = policy.StepScaling,
                },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add(step, $"Put scaling policy {policy.Name} ({policy.PolicyType}) on {resourceId} again.");
        }

    }

    /// <summary>The target and each recorded policy read back from Application Auto Scaling, each a checklist item.</summary>
    private static async Task CheckRecreatedAsync(RekeyRun run, ReplicaScaling recorded, Checks.Checklist checks, CancellationToken cancellationToken)
    {
        var resourceId = ResourceIdOf(run.ClusterId);
        var now = await ReadAsync(run, run.ClusterId, cancellationToken).ConfigureAwait(false);
        if (now is null)
        {
            checks.Fail($"{resourceId} has no Application Auto Scaling target after it was registered again (the old blue had {Describe(recorded)}).");
            return;
        }

        if (now.MinCapacity != recorded.MinCapacity || now.MaxCapacity != recorded.MaxCapacity)
        {
            // Someone changed it on the new cluster since: theirs is kept.
            run.Log.LogWarning(
                "{Resource} scales {Min}-{Max} replicas; the old blue scaled {OldMin}-{OldMax}",
                resourceId,
                now.MinCapacity,
                now.MaxCapacity,
                recorded.MinCapacity,
                recorded.MaxCapacity);
        }

        foreach (var policy in recorded.Policies)
        {
            if (now.Policies.Any(p => p.Name == policy.Name))
            {
                checks.Pass($"scaling policy {policy.Name} ({policy.PolicyType}) on {resourceId}");
            }
            else
            {
                checks.Fail($"scaling policy {policy.Name} of the old blue is missing on {resourceId}");
            }
        }

        checks.Pass($"{resourceId}: {Describe(now)}");
    }

    private static async Task<ScalableTarget?> TargetAsync(RekeyRun run, string clusterId, CancellationToken cancellationToken)
    {
        var request = new DescribeScalableTargetsRequest { ServiceNamespace = Namespace, ResourceIds = [ResourceIdOf(clusterId)], ScalableDimension = Dimension };
        await foreach (var target in run.AutoScaling.DescribeScalableTargetsAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (target.ResourceId == ResourceIdOf(clusterId) && target.ScalableDimension == Dimension)
            {
                return target;
            }
        }

        return null;
    }

    private static async Task<List<ScalingPolicy>> PoliciesAsync(RekeyRun run, string clusterId, CancellationToken cancellationToken)
    {
        var policies = new List<ScalingPolicy>();
        var request = new DescribeScalingPoliciesRequest { ServiceNamespace = Namespace, ResourceId = ResourceIdOf(clusterId), ScalableDimension = Dimension };
        await foreach (var policy in run.AutoScaling.DescribeScalingPoliciesAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (policy.ResourceId == ResourceIdOf(clusterId) && policy.PolicyName is not null)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }
}
