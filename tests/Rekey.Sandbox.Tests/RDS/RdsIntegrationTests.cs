using System.Text.Json.Nodes;
using Rekey.Sandbox.Tests.KeyManagementService;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>RDS zero-ETL integrations through the AWS CLI: create, list, delete, and what renaming or deleting their source does.</summary>
public sealed class RdsIntegrationTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private SessionCli Cli => fixture.Aws;

    private static string Namespace(int n, string region = "us-east-1") =>
        $"arn:aws:redshift-serverless:{region}:111111111111:namespace/00000000-0000-4000-8000-{n:D12}";

    private async Task<string> AvailableClusterAsync(string identifier)
    {
        var arn = (await Cli.CreateClusterAsync(identifier))["DBCluster"]!["DBClusterArn"].Text();
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        return arn;
    }

    private Task<JsonNode> CreateAsync(string sourceArn, string targetArn, string name, params string[] extra) =>
        Cli.JsonAsync(["rds", "create-integration", "--source-arn", sourceArn, "--target-arn", targetArn, "--integration-name", name, .. extra]);

    [Fact]
    public async Task An_integration_is_creating_then_active_on_the_sandbox_clock_and_keeps_what_was_asked()
    {
        var cluster = await AvailableClusterAsync("integration-source");
        var key = (await Cli.CreateKeyAsync())["Arn"].Text();

        var created = await CreateAsync(
            cluster, Namespace(1), "ledger-to-redshift", "--kms-key-id", key, "--tags", "Key=team,Value=db",
            "--data-filter", "include: ledger.*.*", "--description", "ledger analytics");
        var whileCreating = (await Cli.JsonAsync("rds", "describe-integrations", "--integration-identifier", created["IntegrationArn"].Text()))["Integrations"]![0]!;
        fixture.Advance(fixture.Sandbox.Runtime.Durations.IntegrationCreate);
        var byId = (await Cli.JsonAsync("rds", "describe-integrations", "--integration-identifier", created["IntegrationArn"].Text().Split(':')[^1]))["Integrations"]![0]!;

        Assert.Equal("creating", created["Status"].Text());
        Assert.Equal("creating", whileCreating["Status"].Text());
        Assert.Equal("active", byId["Status"].Text());
        Assert.Matches("^arn:aws:rds:us-east-1:111111111111:integration:[0-9a-f-]{36}$", byId["IntegrationArn"].Text());
        Assert.Equal(cluster, byId["SourceArn"].Text());
        Assert.Equal(Namespace(1), byId["TargetArn"].Text());
        Assert.Equal("ledger-to-redshift", byId["IntegrationName"].Text());
        Assert.Equal(key, byId["KMSKeyId"].Text());
        Assert.Equal("db", byId["Tags"]![0]!["Value"].Text());
        Assert.Equal("include: ledger.*.*", byId["DataFilter"].Text());
        Assert.Equal("ledger analytics", byId["Description"].Text());
        Assert.Null(byId["Errors"]);
    }

    [Fact]
    public async Task The_integrations_of_a_cluster_are_those_DescribeIntegrations_lists_with_its_ARN_as_source()
    {
        var orders = await AvailableClusterAsync("integration-orders");
        var ledger = await AvailableClusterAsync("integration-ledger");
        await CreateAsync(orders, Namespace(10), "orders-a");
        await CreateAsync(orders, Namespace(11), "orders-b");
        await CreateAsync(ledger, Namespace(10), "ledger-a");

        var all = (await Cli.JsonAsync("rds", "describe-integrations"))["Integrations"]!.AsArray();
        var ofOrders = all.Where(i => i!["SourceArn"].Text() == orders).Select(i => i!["IntegrationName"].Text()).Order(StringComparer.Ordinal).ToList();
        var filtered = await Cli.FailureAsync("rds", "describe-integrations", "--filters", $"Name=source-arn,Values={orders}");

        Assert.Equal(["orders-a", "orders-b"], ofOrders);
        Assert.Contains(all, i => i!["IntegrationName"].Text() == "ledger-a");

        // RDS documents no filter for DescribeIntegrations: a client filters by SourceArn itself.
        Assert.Equal("InvalidParameterValue", filtered.ErrorCode);
    }

    [Fact]
    public async Task DescribeIntegrations_pages_with_MaxRecords_and_Marker()
    {
        var cluster = await AvailableClusterAsync("integration-paged");
        for (var n = 0; n < 21; n++)
        {
            await fixture.Query.CallAsync(
                "CreateIntegration",
                [new("SourceArn", cluster), new("TargetArn", Namespace(100 + n)), new("IntegrationName", $"paged-{n}")]);
        }

        var first = await Cli.JsonAsync("rds", "describe-integrations", "--no-paginate", "--max-records", "20");
        var rest = await Cli.JsonAsync("rds", "describe-integrations", "--no-paginate", "--max-records", "20", "--marker", first["Marker"].Text());
        var names = first["Integrations"]!.AsArray().Concat(rest["Integrations"]!.AsArray()).Select(i => i!["IntegrationName"].Text()).ToList();

        Assert.Equal(20, first["Integrations"]!.AsArray().Count);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Enumerable.Range(0, 21), n => Assert.Contains($"paged-{n}", names));
    }

    [Fact]
    public async Task CreateIntegration_refuses_a_missing_or_foreign_source_a_bad_or_distant_target_and_a_repeated_name()
    {
        var cluster = await AvailableClusterAsync("integration-refusals");
        await CreateAsync(cluster, Namespace(20), "taken-name");
        await Cli.As("222222222222").CreateClusterAsync("foreign-source");

        var missing = await Cli.FailureAsync("rds", "create-integration", "--source-arn", "arn:aws:rds:us-east-1:111111111111:cluster:nothing", "--target-arn", Namespace(21), "--integration-name", "x");
        var foreign = await Cli.FailureAsync("rds", "create-integration", "--source-arn", "arn:aws:rds:us-east-1:222222222222:cluster:foreign-source", "--target-arn", Namespace(22), "--integration-name", "y");
        var badTarget = await Cli.FailureAsync("rds", "create-integration", "--source-arn", cluster, "--target-arn", "arn:aws:s3:::a-bucket-not-redshift", "--integration-name", "z");
        var otherRegion = await Cli.FailureAsync("rds", "create-integration", "--source-arn", cluster, "--target-arn", Namespace(23, "eu-west-1"), "--integration-name", "w");
        var sameName = await Cli.FailureAsync("rds", "create-integration", "--source-arn", cluster, "--target-arn", Namespace(24), "--integration-name", "taken-name");
        var samePair = await Cli.FailureAsync("rds", "create-integration", "--source-arn", cluster, "--target-arn", Namespace(20), "--integration-name", "another-name");

        Assert.Equal("DBClusterNotFoundFault", missing.ErrorCode);
        Assert.Equal("DBClusterNotFoundFault", foreign.ErrorCode);
        Assert.Equal("InvalidParameterValue", badTarget.ErrorCode);
        Assert.Equal("InvalidParameterCombination", otherRegion.ErrorCode);
        Assert.Equal("IntegrationAlreadyExistsFault", sameName.ErrorCode);
        Assert.Equal("IntegrationAlreadyExistsFault", samePair.ErrorCode);
    }

    [Fact]
    public async Task DeleteIntegration_waits_for_creating_to_end_then_the_integration_is_deleting_and_then_gone()
    {
        var cluster = await AvailableClusterAsync("integration-deleted");
        var arn = (await CreateAsync(cluster, Namespace(30), "short-lived"))["IntegrationArn"].Text();

        var whileCreating = await Cli.FailureAsync("rds", "delete-integration", "--integration-identifier", arn);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.IntegrationCreate);
        var deleting = await Cli.JsonAsync("rds", "delete-integration", "--integration-identifier", arn);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete);
        var gone = await Cli.FailureAsync("rds", "describe-integrations", "--integration-identifier", arn);
        var byName = await Cli.FailureAsync("rds", "delete-integration", "--integration-identifier", "short-lived");

        Assert.Equal("InvalidIntegrationStateFault", whileCreating.ErrorCode);
        Assert.Equal("deleting", deleting["Status"].Text());
        Assert.Equal("IntegrationNotFoundFault", gone.ErrorCode);
        Assert.Equal("IntegrationNotFoundFault", byName.ErrorCode);
    }

    [Fact]
    public async Task A_cluster_with_an_integration_cannot_be_renamed_until_the_integration_is_deleted()
    {
        var cluster = await AvailableClusterAsync("integration-rename");
        var arn = (await CreateAsync(cluster, Namespace(40), "blocks-rename"))["IntegrationArn"].Text();
        fixture.Advance(fixture.Sandbox.Runtime.Durations.IntegrationCreate);
        string[] Rename() => ["rds", "modify-db-cluster", "--db-cluster-identifier", "integration-rename", "--new-db-cluster-identifier", "integration-renamed", "--apply-immediately"];

        var refused = await Cli.FailureAsync(Rename());
        await Cli.JsonAsync("rds", "delete-integration", "--integration-identifier", arn);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete);
        var renamed = await Cli.JsonAsync(Rename());

        Assert.Equal("InvalidDBClusterStateFault", refused.ErrorCode);
        Assert.Contains("zero-ETL", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("integration-renamed", renamed["DBCluster"]!["DBClusterIdentifier"].Text());
    }

    [Fact]
    public async Task Deleting_the_source_cluster_leaves_its_integration_failed_with_an_error()
    {
        var cluster = await AvailableClusterAsync("integration-source-deleted");
        var arn = (await CreateAsync(cluster, Namespace(50), "orphaned"))["IntegrationArn"].Text();
        fixture.Advance(fixture.Sandbox.Runtime.Durations.IntegrationCreate);

        await Cli.JsonAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "integration-source-deleted", "--skip-final-snapshot");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete);
        var integration = (await Cli.JsonAsync("rds", "describe-integrations", "--integration-identifier", arn))["Integrations"]![0]!;

        Assert.Equal("failed", integration["Status"].Text());
        Assert.Equal(cluster, integration["SourceArn"].Text());
        Assert.Contains("integration-source-deleted", Assert.Single(integration["Errors"]!.AsArray())!["ErrorMessage"].Text(), StringComparison.Ordinal);
    }
}
