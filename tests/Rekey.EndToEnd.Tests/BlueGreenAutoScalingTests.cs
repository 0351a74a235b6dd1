using Rekey.Aws.ApplicationAutoScaling.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Sandbox.Core;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// The Application Auto Scaling of the cluster's Aurora replicas through a Blue/Green cutover: AWS does not copy it,
/// and the sandbox leaves it with the old blue, so Rekey records it and registers it again on the new cluster.
/// </summary>
public sealed class BlueGreenAutoScalingTests
{
    private const string Dimension = "rds:cluster:ReadReplicaCount";

    private static readonly string ResourceId = "cluster:" + LedgerCluster.Id;

    [Theory]
    [ChaosSeeds]
    public async Task After_a_blue_green_cutover_the_new_cluster_has_the_old_clusters_scalable_target_and_target_tracking_policy_and_a_rerun_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        using var scaling = sandbox.Aws.CreateApplicationAutoScaling(EndToEndSandbox.Region);
        await scaling.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = "rds", ResourceId = ResourceId, ScalableDimension = Dimension, MinCapacity = 1, MaxCapacity = 4,
        });
        await scaling.PutScalingPolicyAsync(new PutScalingPolicyRequest
        {
            PolicyName = "ledger-reader-cpu",
            ServiceNamespace = "rds",
            ResourceId = ResourceId,
            ScalableDimension = Dimension,
            PolicyType = PolicyType.TargetTrackingScaling,
            TargetTrackingScalingPolicyConfiguration = new TargetTrackingScalingPolicyConfiguration
            {
                TargetValue = 55.5,
                PredefinedMetricSpecification = new PredefinedMetricSpecification { PredefinedMetricType = MetricType.RDSReaderAverageCPUUtilization },
                ScaleInCooldown = 600,
                ScaleOutCooldown = 120,
                DisableScaleIn = false,
            },
        });

        // Cutover stops after the switchover for the sequences (exit code 7) once VerifyBlueGreen has re-created what it can.
        var cutover = await sandbox.CutoverAsync("e2e-bg-scaling", null, ["--strategy=blue-green", "--sequences-advanced"]);

        Assert.True(cutover.ExitCode == Rekey.Runtime.ExitCodes.VerificationFailed, cutover.ToString());
        Assert.Contains(cutover.Calls, c => c.Operation == "RegisterScalableTarget" && c.ErrorCode is null);
        Assert.Contains(cutover.Calls, c => c.Operation == "PutScalingPolicy" && c.ErrorCode is null);
        var target = Assert.Single((await scaling.DescribeScalableTargetsAsync(new DescribeScalableTargetsRequest { ServiceNamespace = "rds", ResourceIds = [ResourceId] })).ScalableTargets!);
        Assert.Equal((1, 4), (target.MinCapacity, target.MaxCapacity));
        var policy = Assert.Single((await scaling.DescribeScalingPoliciesAsync(new DescribeScalingPoliciesRequest { ServiceNamespace = "rds", ResourceId = ResourceId })).ScalingPolicies!);
        Assert.Equal("ledger-reader-cpu", policy.PolicyName);
        Assert.Equal(PolicyType.TargetTrackingScaling, policy.PolicyType);
        var tracking = policy.TargetTrackingScalingPolicyConfiguration!;
        Assert.Equal(55.5, tracking.TargetValue);
        Assert.Equal(MetricType.RDSReaderAverageCPUUtilization, tracking.PredefinedMetricSpecification!.PredefinedMetricType);
        Assert.Equal((600, 120, false), (tracking.ScaleInCooldown, tracking.ScaleOutCooldown, tracking.DisableScaleIn));

        // The old blue keeps its own registration.
        Assert.Single((await scaling.DescribeScalableTargetsAsync(new DescribeScalableTargetsRequest { ServiceNamespace = "rds", ResourceIds = [ResourceId + "-old1"] })).ScalableTargets!);

        // VerifyBlueGreen again finds the target and the policy and registers nothing.
        var verified = await BlueGreenCutoverTests.VerifyAsync(sandbox, "e2e-bg-scaling", null, "--sequences-advanced");

        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Contains(verified.Calls, c => c.Operation == "DescribeScalingPolicies");
        Assert.DoesNotContain(verified.MutatingCalls, c => c.Service == "application-autoscaling");
        Assert.Single((await scaling.DescribeScalingPoliciesAsync(new DescribeScalingPoliciesRequest { ServiceNamespace = "rds", ResourceId = ResourceId })).ScalingPolicies!);

        var again = await BlueGreenCutoverTests.CutoverAsync(sandbox, "e2e-bg-scaling-again");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Empty(again.MutatingCalls);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_that_may_not_read_the_replica_auto_scaling_warns_naming_the_permissions(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        // A missing permission refuses every call, retries included.
        sandbox.AddFault(new FaultRule
        {
            Kind = FaultKind.Fail, Service = "application-autoscaling", Operation = "DescribeScalableTargets", Count = 10,
            ErrorCode = "AccessDeniedException", HttpStatus = 400, Message = "User is not authorized to perform: application-autoscaling:DescribeScalableTargets",
        });

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-bg-scaling-denied", "--strategy=blue-green"));

        Assert.True(result.Calls.Any(c => c.Operation == "DescribeScalableTargets" && c.ErrorCode == "AccessDeniedException"), string.Join(", ", result.Calls.Select(c => $"{c.Service}:{c.Operation}:{c.ErrorCode}")));
        // The console wraps long lines.
        Assert.True(result.Output.ReplaceLineEndings(string.Empty).Contains($"grant {Rekey.Strategies.ReplicaAutoScaling.DescribePermissions} to the role", StringComparison.Ordinal), result.ToString());
        Assert.Empty(result.MutatingCalls);
    }
}
