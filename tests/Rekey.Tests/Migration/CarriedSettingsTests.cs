using Rekey.Aws.RDS.Model;
using Rekey.Migration;
using Rekey.State;

namespace Rekey.Tests.Migration;

public sealed class CarriedSettingsTests
{

    [Fact]
    public void Identical_clusters_have_no_differences()
    {
        Assert.Empty(CarriedSettings.ClusterDifferences(ClusterSamples.Cluster(), ClusterSamples.Cluster()));
    }

    [Fact]
    public void A_changed_carried_setting_is_a_difference_with_both_values()
    {
        var @new = ClusterSamples.Cluster();
        @new.Port = 3306;
        @new.DeletionProtection = false;

        var differences = CarriedSettings.ClusterDifferences(ClusterSamples.Cluster(), @new).ToList();

        Assert.Equal([("Port", "3307", "3306"), ("DeletionProtection", "true", "false")], differences);
    }

    [Fact]
    public void Lists_in_another_order_and_rekey_tags_are_not_differences()
    {
        var @new = ClusterSamples.Cluster();
        @new.VpcSecurityGroups = [.. @new.VpcSecurityGroups!.AsEnumerable().Reverse()];
        @new.EnabledCloudwatchLogsExports = ["slowquery", "error"];
        @new.TagList = [new Tag { Key = "cost-center", Value = "cc-1234" }, new Tag { Key = "team", Value = "payments" }, new Tag { Key = RekeyTags.Role, Value = RekeyTags.TargetRole }];

        Assert.Empty(CarriedSettings.ClusterDifferences(ClusterSamples.Cluster(), @new));
    }

    [Fact]
    public void The_key_and_the_custom_endpoints_are_not_compared_because_they_change_on_purpose()
    {
        var @new = ClusterSamples.Cluster();
        @new.KmsKeyId = "arn:aws:kms:eu-west-1:111111111111:key/cmk";
        @new.CustomEndpoints = ["reporting.cluster-custom-abc.eu-west-1.rds.amazonaws.com"];

        Assert.Empty(CarriedSettings.ClusterDifferences(ClusterSamples.Cluster(), @new));
    }

    [Fact]
    public void A_changed_instance_setting_is_a_difference()
    {
        var @new = ClusterSamples.Instance();
        @new.DBInstanceClass = "db.r6g.large";

        Assert.Equal([("DBInstanceClass", "db.r6g.xlarge", "db.r6g.large")], CarriedSettings.InstanceDifferences(ClusterSamples.Instance(), @new));
    }

    [Fact]
    public void User_tags_leave_out_rekeys_own_tags()
    {
        var tags = CarriedSettings.UserTags(ClusterSamples.Cluster().TagList);

        Assert.Equal(["team=payments", "cost-center=cc-1234"], tags.Select(t => $"{t.Key}={t.Value}"));
    }
}
