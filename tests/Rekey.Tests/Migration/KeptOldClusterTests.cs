using Rekey.Aws.RDS.Model;
using Rekey.Migration;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Tests.Migration;

public sealed class KeptOldClusterTests
{
    private static DBCluster Cluster(string id, params (string Key, string Value)[] tags) =>
        new() { DBClusterIdentifier = id, TagList = [.. tags.Select(t => new Tag { Key = t.Key, Value = t.Value })] };

    private static readonly (string, string) BlueGreen = (BlueGreenDeployments.StrategyTag, BlueGreenDeployments.StrategyValue);

    [Fact]
    public void Restore_swaps_old_cluster_belongs_to_its_original()
    {
        var kept = Cluster("orders-old", (RekeyTags.Role, RekeyTags.SourceRole), (RekeyTags.OriginalId, "orders"));

        Assert.Equal("orders", KeptOldCluster.BelongsTo(kept));
        Assert.False(KeptOldCluster.IsOldBlue(kept));
        Assert.StartsWith("DB cluster orders-old is the old cluster Rekey kept when it moved orders", KeptOldCluster.Refusal(kept, "orders"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_old_blue_of_a_switchover_belongs_to_its_original_and_its_refusal_says_so()
    {
        var oldBlue = Cluster("orders-old1", BlueGreen, (RekeyTags.OriginalId, "orders"), (RekeyTags.Phase, BlueGreenDeployments.Verified));

        Assert.Equal("orders", KeptOldCluster.BelongsTo(oldBlue));
        Assert.True(KeptOldCluster.IsOldBlue(oldBlue));
        var refusal = KeptOldCluster.Refusal(oldBlue, "orders");
        Assert.StartsWith("DB cluster orders-old1 is the old blue Rekey kept when it moved orders", refusal, StringComparison.Ordinal);
        Assert.Contains("Work on --cluster=orders", refusal, StringComparison.Ordinal);
        Assert.Equal("orders", KeptOldCluster.BelongsTo(Cluster("orders-old2", BlueGreen, (RekeyTags.OriginalId, "orders"))));
    }

    [Fact]
    public void Blue_before_the_switchover_green_with_blues_copied_tags_and_untagged_clusters_belong_to_no_other_cluster()
    {
        Assert.Null(KeptOldCluster.BelongsTo(Cluster("orders", BlueGreen, (RekeyTags.OriginalId, "orders"))));
        Assert.Null(KeptOldCluster.BelongsTo(Cluster("orders-green-abc123", BlueGreen, (RekeyTags.OriginalId, "orders"))));
        Assert.Null(KeptOldCluster.BelongsTo(Cluster("orders-old1")));
        Assert.Null(KeptOldCluster.BelongsTo(Cluster("orders-old", BlueGreen, (RekeyTags.OriginalId, "orders"))));
        Assert.Null(KeptOldCluster.BelongsTo(Cluster("orders-oldx", BlueGreen, (RekeyTags.OriginalId, "orders"))));
        Assert.Null(KeptOldCluster.BelongsTo(Cluster("orders", (RekeyTags.Role, RekeyTags.SourceRole), (RekeyTags.OriginalId, "orders"))));
        Assert.Null(KeptOldCluster.BelongsTo(null));
    }
}
