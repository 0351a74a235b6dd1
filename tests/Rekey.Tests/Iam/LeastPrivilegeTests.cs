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
        var single = IamPolicyGenerator.Generate(Input(instances: 3));
        var fleet = IamPolicyGenerator.Generate(Input(fleet: true, fleetClusters: [.. Enumerable.Range(1, 200).Select(i => $"cluster-{i:000}")]));

        foreach (var size in IamPolicySizes.Measure(single).Concat(IamPolicySizes.Measure(fleet)))
        {
            output.WriteLine(IamPolicySizes.Describe(size));
        }

        output.WriteLine(Role(single, "rekey-prod-migration").Policy.Document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        Assert.Empty(IamPolicySizes.Problems(IamPolicySizes.Measure(single), fleet: false));
        Assert.Empty(IamPolicySizes.Problems(IamPolicySizes.Measure(fleet), fleet: true));
    }

    private static IamRole Role(IReadOnlyList<IamRole> roles, string name) => roles.Single(r => r.Name == name);
}
