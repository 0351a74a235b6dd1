using System.Text.Json.Nodes;
using Rekey.Configuration;
using Rekey.Iam;

namespace Rekey.Tests.Iam;

public sealed class BlueGreenParameterPermissionTests
{
    private static IReadOnlyList<IamRole> Roles()
    {
        Assert.True(GitHubRepository.TryParse("acme/db-tools", out var repo));
        Assert.True(KmsKeyReference.TryParse("alias/rekey-orders", out var key));
        return IamPolicies.Generate(new IamSetupInput
        {
            Partition = "aws",
            Account = "111111111111",
            Region = "eu-west-1",
            Repository = repo!,
            Environment = "prod",
            ClusterId = "orders",
            OldSuffix = "-old",
            InstanceIds = ["orders-1"],
            ClusterParameterGroups = ["orders-cluster-params"],
            InstanceParameterGroups = ["orders-instance-params"],
            Key = key!,
        });
    }

    private static IEnumerable<(string Action, string Resource)> Grants(IamRole role) =>
        role.Policy.Document["Statement"]!.AsArray().Select(s => s!.AsObject()).SelectMany(s =>
        {
            var actions = s["Action"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [s["Action"]!.GetValue<string>()];
            var resources = s["Resource"] is JsonArray r ? r.Select(x => x!.GetValue<string>()).ToList() : [s["Resource"]!.GetValue<string>()];
            return actions.SelectMany(action => resources.Select(resource => (action, resource)));
        });

    [Fact]
    public void The_migration_role_may_copy_the_cluster_group_to_the_bluegreen_copy_modify_it_and_reboot_the_writer()
    {
        var grants = Grants(Roles().Single(r => r.Name == "rekey-prod-migration")).ToList();
        const string rds = "arn:aws:rds:eu-west-1:111111111111";

        Assert.Contains(("rds:CopyDBClusterParameterGroup", $"{rds}:cluster-pg:orders-cluster-params"), grants);
        Assert.Contains(("rds:CopyDBClusterParameterGroup", $"{rds}:cluster-pg:rekey-orders-bluegreen"), grants);
        Assert.Contains(("rds:ModifyDBClusterParameterGroup", $"{rds}:cluster-pg:rekey-orders-bluegreen"), grants);
        Assert.Contains(("rds:ModifyDBCluster", $"{rds}:cluster-pg:rekey-orders-bluegreen"), grants);
        Assert.Contains(("rds:RebootDBInstance", $"{rds}:db:orders-1"), grants);
        Assert.DoesNotContain(grants, g => g.Action == "rds:ModifyDBClusterParameterGroup" && g.Resource.EndsWith("orders-cluster-params", StringComparison.Ordinal));
    }

    [Fact]
    public void The_plan_role_may_read_the_parameters_but_not_change_them()
    {
        var grants = Grants(Roles().Single(r => r.Name == "rekey-prod-plan")).ToList();

        Assert.Contains(("rds:DescribeDBClusterParameters", "arn:aws:rds:eu-west-1:111111111111:cluster-pg:orders-cluster-params"), grants);
        Assert.Contains(("rds:DescribeDBParameters", "arn:aws:rds:eu-west-1:111111111111:pg:orders-instance-params"), grants);
        Assert.DoesNotContain(grants, g => g.Action is "rds:CopyDBClusterParameterGroup" or "rds:ModifyDBClusterParameterGroup" or "rds:RebootDBInstance");
    }
}
