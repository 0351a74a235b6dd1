using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Configuration;
using Rekey.Strategies;

namespace Rekey.Tests.Strategies;

public sealed class BlueGreenEligibilityTests
{
    private static DBCluster Eligible() => new()
    {
        DBClusterIdentifier = "orders",
        DBClusterArn = "arn:aws:rds:eu-west-1:111111111111:cluster:orders",
        Engine = "aurora-postgresql",
        EngineMode = "provisioned",
        DatabaseName = "orders",
        DBClusterParameterGroup = "orders-pg16",
        StorageEncrypted = true,
    };

    private static BlueGreenParameterCheck ReadyParameters(string value = "1", string status = ClusterParameters.InSync) => new(
        "orders",
        BlueGreenParameterNeed.For("aurora-postgresql")!,
        "orders-pg16",
        new ParameterReading("orders-pg16", "rds.logical_replication", value, "user", "static"),
        "orders-1",
        status);

    [Fact]
    public void An_eligible_cluster_has_no_blocker_and_auto_chooses_Blue_Green_saying_why()
    {
        var verdict = BlueGreenEligibility.Judge(new BlueGreenFacts { Cluster = Eligible(), Parameters = ReadyParameters() });
        var (strategy, reason) = BlueGreenEligibility.Choose(CutoverStrategy.Auto, verdict);

        Assert.True(verdict.Eligible, string.Join(" ", verdict.Blockers));
        Assert.Equal(CutoverStrategy.BlueGreen, strategy);
        Assert.Contains("nothing blocks Blue/Green", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_blocker_is_named_at_once_and_auto_falls_back_to_restore_swap_quoting_them()
    {
        var cluster = Eligible();
        cluster.MasterUserSecret = new MasterUserSecret { SecretArn = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-1" };
        cluster.BacktrackWindow = 3600;
        cluster.ReadReplicaIdentifiers = ["arn:aws:rds:us-east-1:111111111111:cluster:orders-replica"];
        cluster.DatabaseName = "tmp";
        var facts = new BlueGreenFacts
        {
            Cluster = cluster,
            Parameters = ReadyParameters(value: "0", status: ClusterParameters.PendingReboot),
            InGlobalCluster = true,
            Integrations = [new Integration { IntegrationName = "orders-to-redshift", IntegrationArn = "arn:aws:rds:eu-west-1:111111111111:integration:abc" }],
            ForeignDeployments = [new BlueGreenDeployment { BlueGreenDeploymentName = "upgrade", BlueGreenDeploymentIdentifier = "bgd-1", Status = "AVAILABLE" }],
        };

        var verdict = BlueGreenEligibility.Judge(facts);
        var (strategy, reason) = BlueGreenEligibility.Choose(CutoverStrategy.Auto, verdict);

        string[] expected = ["Secrets Manager", "global database", "cross-Region read replicas", "backtrack", "orders-to-redshift", "bgd-1", "rds.logical_replication=0", "not in-sync", "named tmp"];
        foreach (var cause in expected)
        {
            Assert.Contains(verdict.Blockers, b => b.Contains(cause, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, verdict.Blockers.Count);
        Assert.Equal(CutoverStrategy.RestoreSwap, strategy);
        Assert.Contains($"{expected.Length} reasons", reason, StringComparison.Ordinal);
        Assert.Contains("Secrets Manager", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parameter_group_Rekey_can_fix_is_offered_as_a_fix_with_its_cost()
    {
        var verdict = BlueGreenEligibility.Judge(new BlueGreenFacts { Cluster = Eligible(), Parameters = ReadyParameters(value: "0") });

        Assert.False(verdict.Eligible);
        var fix = Assert.Single(verdict.Fixes);
        Assert.Contains("--fix-parameter-group", fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Aurora_MySQL_with_event_scheduler_on_is_blocked_and_binlog_format_MIXED_is_enough()
    {
        var cluster = Eligible();
        cluster.Engine = "aurora-mysql";
        var parameters = new BlueGreenParameterCheck(
            "orders",
            BlueGreenParameterNeed.For("aurora-mysql")!,
            "orders-pg16",
            new ParameterReading("orders-pg16", "binlog_format", "MIXED", "user", "static"),
            "orders-1",
            ClusterParameters.InSync);

        var verdict = BlueGreenEligibility.Judge(new BlueGreenFacts { Cluster = cluster, Parameters = parameters, EventScheduler = "ON" });

        var blocker = Assert.Single(verdict.Blockers);
        Assert.Contains("event_scheduler is ON", blocker, StringComparison.Ordinal);
        Assert.Contains(verdict.Warnings, w => w.Contains("binlog replica", StringComparison.Ordinal));
    }

    [Fact]
    public void Aurora_PostgreSQL_warns_of_sequences_DDL_and_large_objects_and_every_cluster_of_custom_endpoints()
    {
        var verdict = BlueGreenEligibility.Judge(new BlueGreenFacts { Cluster = Eligible(), Parameters = ReadyParameters() });

        Assert.Contains(verdict.Warnings, w => w.Contains("sequences", StringComparison.Ordinal) && w.Contains("DDL", StringComparison.Ordinal) && w.Contains("large-object", StringComparison.Ordinal));
        Assert.Contains(verdict.Warnings, w => w.Contains("custom endpoints", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CutoverStrategy.BlueGreen, CutoverStrategy.BlueGreen)]
    [InlineData(CutoverStrategy.RestoreSwap, CutoverStrategy.RestoreSwap)]
    public void An_explicit_strategy_is_kept_whatever_the_verdict(CutoverStrategy asked, CutoverStrategy chosen)
    {
        var cluster = Eligible();
        cluster.EngineMode = "serverless";
        var verdict = BlueGreenEligibility.Judge(new BlueGreenFacts { Cluster = cluster, Parameters = ReadyParameters() });

        Assert.Contains(verdict.Blockers, b => b.Contains("Serverless v1", StringComparison.Ordinal));
        Assert.Equal(chosen, BlueGreenEligibility.Choose(asked, verdict).Strategy);
    }
}
