using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.RDS;

public sealed class RdsClusterTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    [Fact]
    public async Task CreateDBCluster_returns_a_creating_cluster_with_AWS_shaped_endpoints_that_becomes_available_after_the_create_duration()
    {
        var created = (await Cli.CreateClusterAsync("orders"))["DBCluster"]!;
        fixture.Advance(TimeSpan.FromMinutes(5));
        var described = await Cli.DescribeClusterAsync("orders");

        Assert.Equal("creating", created["Status"].Text());
        Assert.Matches(new Regex(@"^orders\.cluster-[a-z][a-z0-9]{11}\.us-east-1\.rds\.amazonaws\.com$"), created["Endpoint"].Text());
        Assert.Equal(created["Endpoint"].Text().Replace(".cluster-", ".cluster-ro-", StringComparison.Ordinal), created["ReaderEndpoint"].Text());
        Assert.Equal("available", described["Status"].Text());
        Assert.Equal("arn:aws:rds:us-east-1:111111111111:cluster:orders", described["DBClusterArn"].Text());
        Assert.StartsWith("cluster-", described["DbClusterResourceId"].Text(), StringComparison.Ordinal);
        Assert.Equal("default.aurora-postgresql16", described["DBClusterParameterGroup"].Text());

        // Created without a key after 2026-02-18 (the sandbox clock starts today): an AWS owned key.
        Assert.True(described["StorageEncrypted"]!.GetValue<bool>());
        Assert.Equal("sse-rds", described["StorageEncryptionType"].Text());
        Assert.Empty(described["DBClusterMembers"]!.AsArray());
        Assert.Equal("stopped", described["ActivityStreamStatus"].Text());
        Assert.Equal("standard", described["ClusterScalabilityType"].Text());
        Assert.Equal("provisioned", described["EngineMode"].Text());
    }

    [Fact]
    public async Task The_endpoint_hash_is_fixed_per_account_and_region_so_a_reused_identifier_gets_the_same_endpoint()
    {
        var first = (await Cli.CreateClusterAsync("hash-probe"))["DBCluster"]!["Endpoint"].Text();
        fixture.Advance(TimeSpan.FromMinutes(5));
        await Cli.JsonAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "hash-probe", "--skip-final-snapshot");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var again = (await Cli.CreateClusterAsync("hash-probe"))["DBCluster"]!["Endpoint"].Text();
        var otherAccount = (await Cli.As("222222222222").CreateClusterAsync("hash-probe"))["DBCluster"]!["Endpoint"].Text();
        var otherRegion = (await Cli.InRegion("eu-west-1").CreateClusterAsync("hash-probe"))["DBCluster"]!["Endpoint"].Text();

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherAccount);
        Assert.NotEqual(first.Split('.')[1], otherRegion.Split('.')[1]);
        Assert.EndsWith(".eu-west-1.rds.amazonaws.com", otherRegion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1starts-with-digit")]
    [InlineData("ends-with-hyphen-")]
    [InlineData("double--hyphen")]
    [InlineData("under_score")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Invalid_cluster_identifiers_are_rejected_with_InvalidParameterValue(string identifier)
    {
        var failure = await Cli.FailureAsync(
            "rds", "create-db-cluster", "--db-cluster-identifier", identifier, "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password");

        Assert.Equal("InvalidParameterValue", failure.ErrorCode);
    }

    [Fact]
    public async Task Identifiers_are_stored_lowercase_and_a_second_cluster_with_the_same_identifier_is_DBClusterAlreadyExistsFault()
    {
        var created = (await Cli.CreateClusterAsync("Mixed-Case-63"))["DBCluster"]!;
        var duplicate = await Cli.FailureAsync(
            "rds", "create-db-cluster", "--db-cluster-identifier", "mixed-case-63", "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password");

        Assert.Equal("mixed-case-63", created["DBClusterIdentifier"].Text());
        Assert.Equal("DBClusterAlreadyExistsFault", duplicate.ErrorCode);
    }

    [Fact]
    public async Task Describing_a_missing_cluster_is_DBClusterNotFoundFault()
    {
        var failure = await Cli.FailureAsync("rds", "describe-db-clusters", "--db-cluster-identifier", "no-such-cluster");

        Assert.Equal("DBClusterNotFoundFault", failure.ErrorCode);
    }

    [Fact]
    public async Task StorageEncrypted_without_a_key_uses_the_account_aws_rds_managed_key()
    {
        var created = (await Cli.CreateClusterAsync("managed-key", "--storage-encrypted"))["DBCluster"]!;
        var managed = fixture.Sandbox.Runtime.Read(() => fixture.Sandbox.Keys.AwsManagedKey("111111111111", "us-east-1", "rds"));

        Assert.True(created["StorageEncrypted"]!.GetValue<bool>());
        Assert.Equal(managed.Arn, created["KmsKeyId"].Text());
        Assert.Equal("AWS", managed.KeyManager);
    }

    [Fact]
    public async Task A_customer_key_given_by_alias_encrypts_the_cluster_and_a_disabled_one_is_KMSKeyNotAccessibleFault()
    {
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/orders-cmk");
        var disabled = fixture.CreateCustomerKey("111111111111", "us-east-1", "alias/disabled-cmk");
        fixture.SetKeyState(disabled, "Disabled");

        var created = (await Cli.CreateClusterAsync("customer-key", "--storage-encrypted", "--kms-key-id", "alias/orders-cmk"))["DBCluster"]!;
        var failure = await Cli.FailureAsync(
            "rds", "create-db-cluster", "--db-cluster-identifier", "disabled-key", "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password", "--storage-encrypted", "--kms-key-id", disabled.Arn);

        Assert.Equal(key.Arn, created["KmsKeyId"].Text());
        Assert.Equal("KMSKeyNotAccessibleFault", failure.ErrorCode);
    }

    [Fact]
    public async Task Renaming_with_ApplyImmediately_changes_identifier_endpoints_and_arn_at_once_and_the_cluster_is_renaming_for_the_rename_duration()
    {
        await Cli.CreateClusterAsync("rename-me");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var resourceId = (await Cli.DescribeClusterAsync("rename-me"))["DbClusterResourceId"].Text();

        var renamed = (await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "rename-me", "--new-db-cluster-identifier", "rename-me-old", "--apply-immediately"))["DBCluster"]!;
        var oldName = await Cli.FailureAsync("rds", "describe-db-clusters", "--db-cluster-identifier", "rename-me");
        fixture.Advance(TimeSpan.FromMinutes(1));
        var after = await Cli.DescribeClusterAsync("rename-me-old");

        Assert.Equal("rename-me-old", renamed["DBClusterIdentifier"].Text());
        Assert.Equal("renaming", renamed["Status"].Text());
        Assert.StartsWith("rename-me-old.cluster-", renamed["Endpoint"].Text(), StringComparison.Ordinal);
        Assert.Equal("arn:aws:rds:us-east-1:111111111111:cluster:rename-me-old", renamed["DBClusterArn"].Text());
        Assert.Equal("DBClusterNotFoundFault", oldName.ErrorCode);
        Assert.Equal("available", after["Status"].Text());
        Assert.Equal(resourceId, after["DbClusterResourceId"].Text());
    }

    [Fact]
    public async Task Renaming_without_ApplyImmediately_waits_in_PendingModifiedValues()
    {
        await Cli.CreateClusterAsync("rename-later");
        fixture.Advance(TimeSpan.FromMinutes(5));

        var modified = (await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "rename-later", "--new-db-cluster-identifier", "renamed-later"))["DBCluster"]!;

        Assert.Equal("rename-later", modified["DBClusterIdentifier"].Text());
        Assert.Equal("renamed-later", modified["PendingModifiedValues"]!["DBClusterIdentifier"].Text());
    }

    [Fact]
    public async Task Renaming_onto_an_existing_identifier_or_while_not_available_is_refused()
    {
        await Cli.CreateClusterAsync("taken-a");
        await Cli.CreateClusterAsync("taken-b");
        var notAvailable = await Cli.FailureAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "taken-a", "--new-db-cluster-identifier", "free-name", "--apply-immediately");
        fixture.Advance(TimeSpan.FromMinutes(5));
        var taken = await Cli.FailureAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "taken-a", "--new-db-cluster-identifier", "taken-b", "--apply-immediately");

        Assert.Equal("InvalidDBClusterStateFault", notAvailable.ErrorCode);
        Assert.Equal("DBClusterAlreadyExistsFault", taken.ErrorCode);
    }

    [Fact]
    public async Task ModifyDBCluster_applies_backup_deletion_protection_log_and_scaling_settings()
    {
        await Cli.CreateClusterAsync("settings");
        fixture.Advance(TimeSpan.FromMinutes(5));

        await Cli.JsonAsync(
            "rds", "modify-db-cluster", "--db-cluster-identifier", "settings", "--apply-immediately",
            "--backup-retention-period", "14", "--deletion-protection", "--preferred-maintenance-window", "mon:03:00-mon:03:30",
            "--cloudwatch-logs-export-configuration", "EnableLogTypes=postgresql",
            "--serverless-v2-scaling-configuration", "MinCapacity=0.5,MaxCapacity=8", "--enable-http-endpoint", "--enable-local-write-forwarding");
        var described = await Cli.DescribeClusterAsync("settings");
        var protectedDelete = await Cli.FailureAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "settings", "--skip-final-snapshot");

        Assert.Equal(14, described["BackupRetentionPeriod"]!.GetValue<int>());
        Assert.True(described["HttpEndpointEnabled"]!.GetValue<bool>());
        Assert.Equal("enabled", described["LocalWriteForwardingStatus"].Text());
        Assert.True(described["DeletionProtection"]!.GetValue<bool>());
        Assert.Equal("mon:03:00-mon:03:30", described["PreferredMaintenanceWindow"].Text());
        Assert.Equal(["postgresql"], described["EnabledCloudwatchLogsExports"]!.AsArray().Select(l => l.Text()));
        Assert.Equal(0.5, described["ServerlessV2ScalingConfiguration"]!["MinCapacity"]!.GetValue<double>());
        Assert.Equal(8, described["ServerlessV2ScalingConfiguration"]!["MaxCapacity"]!.GetValue<double>());
        Assert.Equal("InvalidParameterCombination", protectedDelete.ErrorCode);
    }

    [Fact]
    public async Task DeleteDBCluster_requires_no_instances_and_a_final_snapshot_unless_skipped_and_keeps_the_final_snapshot()
    {
        await Cli.CreateClusterAsync("to-delete");
        fixture.Advance(TimeSpan.FromMinutes(5));
        await Cli.CreateInstanceAsync("to-delete", "to-delete-1");
        fixture.Advance(TimeSpan.FromMinutes(10));

        var withInstances = await Cli.FailureAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "to-delete", "--final-db-snapshot-identifier", "to-delete-final");
        await Cli.JsonAsync("rds", "delete-db-instance", "--db-instance-identifier", "to-delete-1");
        var noSnapshotName = await Cli.FailureAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "to-delete");
        var deleting = (await Cli.JsonAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "to-delete", "--final-db-snapshot-identifier", "to-delete-final"))["DBCluster"]!;
        fixture.Advance(TimeSpan.FromMinutes(5));
        var gone = await Cli.FailureAsync("rds", "describe-db-clusters", "--db-cluster-identifier", "to-delete");
        var snapshot = (await Cli.JsonAsync("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier", "to-delete-final"))["DBClusterSnapshots"]![0]!;

        Assert.Equal("InvalidDBClusterStateFault", withInstances.ErrorCode);
        Assert.Equal("InvalidParameterCombination", noSnapshotName.ErrorCode);
        Assert.Equal("deleting", deleting["Status"].Text());
        Assert.Equal("DBClusterNotFoundFault", gone.ErrorCode);
        Assert.Equal("available", snapshot["Status"].Text());
        Assert.Equal("to-delete", snapshot["DBClusterIdentifier"].Text());
    }

    [Fact]
    public async Task DescribeDBClusters_filters_by_cluster_id_and_engine()
    {
        await Cli.CreateClusterAsync("filter-pg");
        await Cli.JsonAsync(
            "rds", "create-db-cluster", "--db-cluster-identifier", "filter-my", "--engine", "aurora-mysql",
            "--master-username", "admin", "--master-user-password", "sandbox-password");

        var mysql = await Cli.JsonAsync("rds", "describe-db-clusters", "--filters", "Name=engine,Values=aurora-mysql");
        var byId = await Cli.JsonAsync("rds", "describe-db-clusters", "--filters", "Name=db-cluster-id,Values=filter-pg");

        Assert.All(mysql["DBClusters"]!.AsArray(), c => Assert.Equal("aurora-mysql", c!["Engine"].Text()));
        Assert.Contains(mysql["DBClusters"]!.AsArray(), c => c!["DBClusterIdentifier"].Text() == "filter-my");
        Assert.Equal(["filter-pg"], byId["DBClusters"]!.AsArray().Select(c => c!["DBClusterIdentifier"].Text()));
        Assert.Equal(3306, mysql["DBClusters"]!.AsArray().First(c => c!["DBClusterIdentifier"].Text() == "filter-my")!["Port"]!.GetValue<int>());
    }

    [Fact]
    public async Task Describe_pages_by_MaxRecords_and_Marker_and_the_CLI_follows_the_markers()
    {
        const string account = "555555555555";
        for (var i = 0; i < 25; i++)
        {
            await fixture.Query.CreateClusterAsync($"page-{i:D2}", account);
        }

        var all = await Cli.As(account).JsonAsync("rds", "describe-db-clusters", "--page-size", "20");
        var firstPage = await fixture.Query.CallAsync("DescribeDBClusters", [new("MaxRecords", "20")], account);
        var tooSmall = await Cli.As(account).FailureAsync("rds", "describe-db-clusters", "--page-size", "5");

        Assert.Equal(25, all["DBClusters"]!.AsArray().Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"page-{i:D2}"), all["DBClusters"]!.AsArray().Select(c => c!["DBClusterIdentifier"].Text()));
        XNamespace ns = "http://rds.amazonaws.com/doc/2014-10-31/";
        var result = firstPage.Element(ns + "DescribeDBClustersResult")!;
        Assert.Equal(20, result.Element(ns + "DBClusters")!.Elements().Count());
        Assert.False(string.IsNullOrEmpty(result.Element(ns + "Marker")?.Value));
        Assert.Equal("InvalidParameterValue", tooSmall.ErrorCode);
    }

    [Fact]
    public void The_endpoint_hash_is_twelve_lowercase_alphanumerics_starting_with_a_letter()
    {
        var hash = RdsState.EndpointHash("111111111111", "us-east-1");

        Assert.Matches(new Regex("^[a-z][a-z0-9]{11}$"), hash);
        Assert.Equal(hash, RdsState.EndpointHash("111111111111", "us-east-1"));
    }
}
