using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.ApplicationAutoScaling;

/// <summary>Aurora replica auto scaling (Application Auto Scaling, JSON 1.1) through the AWS CLI, and where it stays after a Blue/Green switchover.</summary>
public sealed class ApplicationAutoScalingTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private const string Dimension = "rds:cluster:ReadReplicaCount";

    private AwsCli Cli => fixture.Cli;

    private Task<JsonNode> RegisterAsync(string cluster, int min, int max) =>
        Cli.JsonAsync("application-autoscaling", "register-scalable-target", "--service-namespace", "rds", "--resource-id", "cluster:" + cluster,
            "--scalable-dimension", Dimension, "--min-capacity", min.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-capacity", max.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private Task<JsonNode> PutCpuPolicyAsync(string cluster, string name = "cpu40") =>
        Cli.JsonAsync("application-autoscaling", "put-scaling-policy", "--service-namespace", "rds", "--resource-id", "cluster:" + cluster,
            "--scalable-dimension", Dimension, "--policy-name", name, "--policy-type", "TargetTrackingScaling",
            "--target-tracking-scaling-policy-configuration",
            """{"TargetValue":40.0,"PredefinedMetricSpecification":{"PredefinedMetricType":"RDSReaderAverageCPUUtilization"},"ScaleInCooldown":300,"ScaleOutCooldown":120}""");

    private async Task<JsonArray> TargetsAsync(string cluster) =>
        (await Cli.JsonAsync("application-autoscaling", "describe-scalable-targets", "--service-namespace", "rds", "--resource-ids", "cluster:" + cluster))["ScalableTargets"]!.AsArray();

    private async Task<JsonArray> PoliciesAsync(string cluster) =>
        (await Cli.JsonAsync("application-autoscaling", "describe-scaling-policies", "--service-namespace", "rds", "--resource-id", "cluster:" + cluster))["ScalingPolicies"]!.AsArray();

    [Fact]
    public async Task A_registered_target_and_its_target_tracking_policy_are_described_as_registered()
    {
        await fixture.AvailableClusterAsync("aas-basic");

        var registered = await RegisterAsync("aas-basic", 1, 4);
        var put = await PutCpuPolicyAsync("aas-basic");
        var reRegistered = await RegisterAsync("aas-basic", 2, 5);
        var target = Assert.Single(await TargetsAsync("aas-basic"))!;
        var policy = Assert.Single(await PoliciesAsync("aas-basic"))!;

        Assert.StartsWith("arn:aws:application-autoscaling:us-east-1:111111111111:scalable-target/", registered["ScalableTargetARN"].Text(), StringComparison.Ordinal);
        Assert.Equal(registered["ScalableTargetARN"].Text(), reRegistered["ScalableTargetARN"].Text());
        Assert.Equal("cluster:aas-basic", target["ResourceId"].Text());
        Assert.Equal(2, target["MinCapacity"]!.GetValue<int>());
        Assert.Equal(5, target["MaxCapacity"]!.GetValue<int>());
        Assert.EndsWith("AWSServiceRoleForApplicationAutoScaling_RDSCluster", target["RoleARN"].Text(), StringComparison.Ordinal);
        Assert.Equal(put["PolicyARN"].Text(), policy["PolicyARN"].Text());
        Assert.Equal(2, put["Alarms"]!.AsArray().Count);
        Assert.Equal("TargetTrackingScaling", policy["PolicyType"].Text());
        Assert.Equal(40.0, policy["TargetTrackingScalingPolicyConfiguration"]!["TargetValue"]!.GetValue<double>());
        Assert.Equal("RDSReaderAverageCPUUtilization", policy["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"].Text());
        Assert.Equal(300, policy["TargetTrackingScalingPolicyConfiguration"]!["ScaleInCooldown"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bad_requests_get_AWSs_validation_and_not_found_errors()
    {
        await fixture.AvailableClusterAsync("aas-errors");

        var noCluster = await Cli.FailureAsync("application-autoscaling", "register-scalable-target", "--service-namespace", "rds", "--resource-id", "cluster:aas-none",
            "--scalable-dimension", Dimension, "--min-capacity", "1", "--max-capacity", "2");
        var inverted = await Cli.FailureAsync("application-autoscaling", "register-scalable-target", "--service-namespace", "rds", "--resource-id", "cluster:aas-errors",
            "--scalable-dimension", Dimension, "--min-capacity", "3", "--max-capacity", "2");
        var noCapacity = await Cli.FailureAsync("application-autoscaling", "register-scalable-target", "--service-namespace", "rds", "--resource-id", "cluster:aas-errors",
            "--scalable-dimension", Dimension);
        var noTarget = await Cli.FailureAsync("application-autoscaling", "put-scaling-policy", "--service-namespace", "rds", "--resource-id", "cluster:aas-errors",
            "--scalable-dimension", Dimension, "--policy-name", "p", "--policy-type", "TargetTrackingScaling",
            "--target-tracking-scaling-policy-configuration", """{"TargetValue":50}""");

        Assert.Equal("ValidationException", noCluster.ErrorCode);
        Assert.Equal("ValidationException", inverted.ErrorCode);
        Assert.Contains("Minimum capacity cannot be greater than maximum capacity", inverted.Stderr, StringComparison.Ordinal);
        Assert.Equal("ValidationException", noCapacity.ErrorCode);
        Assert.Equal("ObjectNotFoundException", noTarget.ErrorCode);
        Assert.Contains("No scalable target registered for service namespace: rds, resource ID: cluster:aas-errors", noTarget.Stderr, StringComparison.Ordinal);
        Assert.Empty(await TargetsAsync("aas-errors"));
    }

    [Fact]
    public async Task After_a_Blue_Green_switchover_the_target_and_its_policies_stay_with_the_old_blue()
    {
        var deployment = await fixture.AvailableDeploymentAsync("aas-bg", await fixture.EligibleClusterAsync("aas-bg"));
        await RegisterAsync("aas-bg", 1, 3);
        await PutCpuPolicyAsync("aas-bg");

        await Cli.JsonAsync("rds", "switchover-blue-green-deployment", "--blue-green-deployment-identifier", deployment["BlueGreenDeploymentIdentifier"].Text());
        fixture.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("SWITCHOVER_COMPLETED", (await Cli.DescribeDeploymentAsync(deployment["BlueGreenDeploymentIdentifier"].Text()))["Status"].Text());

        Assert.Empty(await TargetsAsync("aas-bg"));
        Assert.Empty(await PoliciesAsync("aas-bg"));
        Assert.Equal(3, Assert.Single(await TargetsAsync("aas-bg-old1"))!["MaxCapacity"]!.GetValue<int>());
        Assert.Equal("cpu40", Assert.Single(await PoliciesAsync("aas-bg-old1"))!["PolicyName"].Text());

        // The new production cluster takes a registration of its own.
        await RegisterAsync("aas-bg", 1, 3);
        await PutCpuPolicyAsync("aas-bg");
        Assert.Single(await TargetsAsync("aas-bg"));
        Assert.Single(await PoliciesAsync("aas-bg"));
    }
}
