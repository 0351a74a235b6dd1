using System.Text.Json.Nodes;
using Rekey.Configuration;
using Rekey.Iam;

namespace Rekey.Tests.Iam;

/// <summary>What a security reviewer checks first: no change on "*" but AWS's own exceptions, documents within IAM's quotas, grants that follow the strategy.</summary>
public sealed class LeastPrivilegeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// The changes still granted on "*", each because AWS offers no resource-level permission for it (Service
    /// Authorization Reference: no resource type listed), as docs/github-setup.md lists them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ChangesOnAnyResource = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["kms:CreateKey"] = "no resource type; allowed only with Rekey's tag in the request (aws:RequestTag/rekey:managed)",
        ["kms:TagResource"] = "granted with kms:CreateKey for the tags CreateKey sends, under the same aws:RequestTag condition",
        ["backup-storage:MountCapsule"] = "no resource type and no condition key; AWS Backup needs it to create a vault",
    };

    private static IamSetupInput Input(bool fleet = false, CutoverStrategy strategy = CutoverStrategy.Auto, int instances = 2, IReadOnlyList<string>? fleetClusters = null)
    {
        Assert.True(GitHubRepository.TryParse("acme/infra", out var repo));
        Assert.True(KmsKeyReference.TryParse("alias/rekey-orders", out var key));
        return new IamSetupInput
        {
            Partition = "aws",
            Account = "111111111111",
            Region = "eu-west-1",
            Repository = repo!,
            Environment = "prod",
            ClusterId = fleet ? "*" : "orders",
            Fleet = fleet,
            FleetClusterIds = fleetClusters ?? [],
            Strategy = strategy,
            InstanceIds = [.. Enumerable.Range(1, instances).Select(i => $"orders-instance-{i}")],
            CustomEndpointNames = fleet ? [] : ["orders-analytics", "orders-reporting"],
            ClusterParameterGroups = fleet ? [] : ["orders-cluster-params"],
            SubnetGroups = fleet ? [] : ["orders-subnets"],
            InstanceParameterGroups = fleet ? [] : ["orders-instance-params"],
            PassedRoleArns = ["arn:aws:iam::111111111111:role/rds-monitoring", "arn:aws:iam::111111111111:role/orders-s3-import", "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole"],
            Key = key!,
            TopicArn = "arn:aws:sns:eu-west-1:111111111111:rekey",
            BackupAccount = "222222222222",
            BackupVault = "rekey-copies",
            BackupServiceRoleArn = "arn:aws:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole",
        };
    }

    private static IEnumerable<JsonObject> Statements(IamRole role) => role.Policy.Document["Statement"]!.AsArray().Select(s => s!.AsObject());

    private static IReadOnlyList<string> Values(JsonNode? node) =>
        node is JsonArray array ? array.Select(r => r!.GetValue<string>()).ToList() : node is null ? [] : [node.GetValue<string>()];

    [Fact]
    public void Every_document_fits_IAMs_managed_and_inline_quotas_for_one_cluster_and_for_a_200_cluster_fleet()
    {
        var single = IamPolicies.Generate(Input(instances: 3));
        var fleet = IamPolicies.Generate(Input(fleet: true, fleetClusters: [.. Enumerable.Range(1, 200).Select(i => $"cluster-{i:000}")]));

        foreach (var size in IamPolicySizes.Measure(single).Concat(IamPolicySizes.Measure(fleet)))
        {
            output.WriteLine(IamPolicySizes.Describe(size));
        }

        output.WriteLine(Role(single, "rekey-prod-migration").Policy.Document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        Assert.Empty(IamPolicySizes.Problems(IamPolicySizes.Measure(single), fleet: false));
        Assert.Empty(IamPolicySizes.Problems(IamPolicySizes.Measure(fleet), fleet: true));
    }

    [Theory]
    [InlineData(false, CutoverStrategy.Auto)]
    [InlineData(false, CutoverStrategy.RestoreSwap)]
    [InlineData(false, CutoverStrategy.BlueGreen)]
    [InlineData(true, CutoverStrategy.Auto)]
    public void No_change_is_granted_on_any_resource_but_those_AWS_authorizes_on_no_resource_and_each_of_those_has_its_condition_where_one_exists(bool fleet, CutoverStrategy strategy)
    {
        var roles = IamPolicies.Generate(Input(fleet, strategy));
        var reads = AwsOperationPermissions.All.Where(p => p.ReadOnly).SelectMany(p => p.Grants).Where(g => g.Scope == ResourceScope.Any).Select(g => g.Action)
            .Append("cloudwatch:DescribeAlarms")
            .ToHashSet(StringComparer.Ordinal);

        var onAnything = roles.SelectMany(Statements)
            .Where(s => Values(s["Resource"]).Contains("*"))
            .SelectMany(s => Values(s["Action"]).Select(a => (Action: a, Conditioned: s["Condition"] is not null)))
            .Where(a => !reads.Contains(a.Action))
            .ToList();

        Assert.All(onAnything, a => Assert.True(ChangesOnAnyResource.ContainsKey(a.Action), $"{a.Action} is granted on \"*\"."));
        Assert.All(onAnything.Where(a => a.Action.StartsWith("kms:", StringComparison.Ordinal)), a => Assert.True(a.Conditioned, $"{a.Action} on \"*\" has no condition."));
        var destructive = new[] { "Delete", "Modify", "Switchover", "Promote", "Remove", "Put", "Schedule", "Register", "Failover", "Reboot", "Restore", "AddTags" };
        Assert.DoesNotContain(onAnything, a => destructive.Any(d => a.Action.Split(':')[1].StartsWith(d, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_restore_swap_plan_gets_no_Blue_Green_change_and_a_Blue_Green_plan_no_restore()
    {
        var restoreSwap = IamPolicies.ActionsOf(Role(IamPolicies.Generate(Input(strategy: CutoverStrategy.RestoreSwap)), "rekey-prod-migration").Policy.Document);
        var blueGreen = IamPolicies.ActionsOf(Role(IamPolicies.Generate(Input(strategy: CutoverStrategy.BlueGreen)), "rekey-prod-migration").Policy.Document);
        var auto = IamPolicies.ActionsOf(Role(IamPolicies.Generate(Input()), "rekey-prod-migration").Policy.Document);

        foreach (var action in new[] { "rds:CreateBlueGreenDeployment", "rds:SwitchoverBlueGreenDeployment", "rds:DeleteBlueGreenDeployment", "rds:PromoteReadReplicaDBCluster", "rds:CreateDBCluster", "application-autoscaling:RegisterScalableTarget", "cloudwatch:DeleteAlarms" })
        {
            Assert.DoesNotContain(action, restoreSwap);
            Assert.Contains(action, blueGreen);
            Assert.Contains(action, auto);
        }

        Assert.Contains("rds:RestoreDBClusterToPointInTime", restoreSwap);
        Assert.DoesNotContain("rds:RestoreDBClusterToPointInTime", blueGreen);
        Assert.DoesNotContain("rds:FailoverDBCluster", blueGreen);
    }

    [Fact]
    public void A_fleet_role_names_no_cluster_and_its_size_does_not_grow_with_the_fleet()
    {
        var two = IamPolicies.Generate(Input(fleet: true, fleetClusters: ["orders", "inventory"]));
        var many = IamPolicies.Generate(Input(fleet: true, fleetClusters: [.. Enumerable.Range(1, 200).Select(i => $"cluster-{i:000}")]));

        Assert.Equal(two.Select(r => r.Policy.Document.ToJsonString()), many.Select(r => r.Policy.Document.ToJsonString()));
        var migration = Role(many, "rekey-prod-migration");
        Assert.DoesNotContain(":cluster:orders", migration.Policy.Document.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(":db:orders", migration.Policy.Document.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains($"aws:ResourceTag/{IamPolicies.FleetTagKey}", migration.Policy.Document.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains($"aws:RequestTag/{IamPolicies.FleetTagKey}", migration.Policy.Document.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_scoped_role_set_that_outgrows_IAMs_quotas_fails_and_names_the_fleet_scope()
    {
        var roles = IamPolicies.Generate(Input(instances: 40));

        var problems = IamPolicySizes.Problems(IamPolicySizes.Measure(roles), fleet: false);

        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Contains("--iam-scope=fleet", p, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("rekey-prod-migration", StringComparison.Ordinal) && p.Contains("10,240", StringComparison.Ordinal));
    }

    private static IamRole Role(IReadOnlyList<IamRole> roles, string name) => roles.Single(r => r.Name == name);
}
