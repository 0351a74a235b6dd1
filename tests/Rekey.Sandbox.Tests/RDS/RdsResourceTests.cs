using System.Net;
using System.Net.Http.Json;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>Tags, IAM roles, snapshots, events, subscriptions, global clusters and proxies through the AWS CLI.</summary>
public sealed class RdsResourceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    private async Task PostAsync(string path, object body)
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Tags_are_added_listed_and_removed_by_ARN_and_a_stale_ARN_after_a_rename_is_not_found()
    {
        await fixture.AvailableClusterAsync("tagged");
        const string arn = "arn:aws:rds:us-east-1:111111111111:cluster:tagged";

        await Cli.JsonAsync("rds", "add-tags-to-resource", "--resource-name", arn, "--tags", "Key=rekey:role,Value=source", "Key=team,Value=ledger");
        await Cli.JsonAsync("rds", "add-tags-to-resource", "--resource-name", arn, "--tags", "Key=team,Value=payments");
        await Cli.JsonAsync("rds", "remove-tags-from-resource", "--resource-name", arn, "--tag-keys", "rekey:role");
        var tags = (await Cli.JsonAsync("rds", "list-tags-for-resource", "--resource-name", arn))["TagList"]!.AsArray();
        var instanceTags = await Cli.JsonAsync("rds", "list-tags-for-resource", "--resource-name", "arn:aws:rds:us-east-1:111111111111:db:tagged-1");
        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "tagged", "--new-db-cluster-identifier", "tagged-old", "--apply-immediately");
        var stale = await Cli.FailureAsync("rds", "list-tags-for-resource", "--resource-name", arn);

        Assert.Equal([("team", "payments")], tags.Select(t => (t!["Key"].Text(), t["Value"].Text())));
        Assert.Empty(instanceTags["TagList"]!.AsArray());
        Assert.Equal("DBClusterNotFoundFault", stale.ErrorCode);
    }

    [Fact]
    public async Task IAM_roles_are_associated_once_per_role_and_removed_only_if_present()
    {
        await fixture.AvailableClusterAsync("roles");
        const string role = "arn:aws:iam::111111111111:role/aurora-s3-export";

        await Cli.JsonAsync("rds", "add-role-to-db-cluster", "--db-cluster-identifier", "roles", "--role-arn", role, "--feature-name", "s3Export");
        var duplicate = await Cli.FailureAsync("rds", "add-role-to-db-cluster", "--db-cluster-identifier", "roles", "--role-arn", role, "--feature-name", "s3Export");
        var associated = (await Cli.DescribeClusterAsync("roles"))["AssociatedRoles"]!.AsArray();
        await Cli.JsonAsync("rds", "remove-role-from-db-cluster", "--db-cluster-identifier", "roles", "--role-arn", role, "--feature-name", "s3Export");
        var missing = await Cli.FailureAsync("rds", "remove-role-from-db-cluster", "--db-cluster-identifier", "roles", "--role-arn", role);

        var association = Assert.Single(associated)!;
        Assert.Equal(role, association["RoleArn"].Text());
        Assert.Equal("s3Export", association["FeatureName"].Text());
        Assert.Equal("ACTIVE", association["Status"].Text());
        Assert.Equal("DBClusterRoleAlreadyExists", duplicate.ErrorCode);
        Assert.Equal("DBClusterRoleNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task Cluster_snapshots_are_created_described_and_unique_by_identifier()
    {
        await fixture.AvailableClusterAsync("snap", encrypted: true);

        var created = (await Cli.JsonAsync("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "snap", "--db-cluster-snapshot-identifier", "snap-manual-1"))["DBClusterSnapshot"]!;
        var duplicate = await Cli.FailureAsync("rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "snap", "--db-cluster-snapshot-identifier", "snap-manual-1");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Snapshot);
        var listed = (await Cli.JsonAsync("rds", "describe-db-cluster-snapshots", "--db-cluster-identifier", "snap"))["DBClusterSnapshots"]!.AsArray();
        var missing = await Cli.FailureAsync("rds", "describe-db-cluster-snapshots", "--db-cluster-snapshot-identifier", "no-such-snapshot");

        Assert.Equal("creating", created["Status"].Text());
        Assert.Equal("DBClusterSnapshotAlreadyExistsFault", duplicate.ErrorCode);
        var snapshot = Assert.Single(listed)!;
        Assert.Equal("available", snapshot["Status"].Text());
        Assert.Equal("manual", snapshot["SnapshotType"].Text());
        Assert.True(snapshot["StorageEncrypted"]!.GetValue<bool>());
        Assert.Equal("DBClusterSnapshotNotFoundFault", missing.ErrorCode);
    }

    [Fact]
    public async Task DescribeEvents_reports_creation_and_rename_with_sandbox_times()
    {
        await fixture.AvailableClusterAsync("evented");
        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "evented", "--new-db-cluster-identifier", "evented-old", "--apply-immediately");

        var events = (await Cli.JsonAsync("rds", "describe-events", "--source-type", "db-cluster", "--duration", "1440"))["Events"]!.AsArray();
        var noType = await Cli.FailureAsync("rds", "describe-events", "--source-identifier", "evented-old");

        Assert.Contains(events, e => e!["SourceIdentifier"].Text() == "evented" && e["Message"].Text() == "DB cluster created");
        var rename = Assert.Single(events, e => e!["SourceIdentifier"].Text() == "evented-old")!;
        Assert.Equal("Renamed DB cluster from evented to evented-old", rename["Message"].Text());
        Assert.True(Math.Abs((DateTimeOffset.Parse(rename["Date"].Text(), System.Globalization.CultureInfo.InvariantCulture) - fixture.Sandbox.Clock.Now).TotalMinutes) < 5);
        Assert.Equal("InvalidParameterCombination", noType.ErrorCode);
    }

    [Fact]
    public async Task Event_subscriptions_and_global_clusters_seeded_through_the_sandbox_api_are_described()
    {
        await fixture.AvailableClusterAsync("global-member");
        await PostAsync("/_sandbox/rds/event-subscriptions", new { name = "ops-alerts", snsTopicArn = "arn:aws:sns:us-east-1:111111111111:ops", sourceType = "db-cluster", sourceIds = new[] { "global-member" }, eventCategories = new[] { "failover" } });
        await PostAsync("/_sandbox/rds/global-clusters", new { identifier = "worldwide", members = new[] { "global-member" } });

        var subscription = (await Cli.JsonAsync("rds", "describe-event-subscriptions", "--subscription-name", "ops-alerts"))["EventSubscriptionsList"]![0]!;
        var missingSubscription = await Cli.FailureAsync("rds", "describe-event-subscriptions", "--subscription-name", "nope");
        var global = (await Cli.JsonAsync("rds", "describe-global-clusters", "--global-cluster-identifier", "worldwide"))["GlobalClusters"]![0]!;
        var missingGlobal = await Cli.FailureAsync("rds", "describe-global-clusters", "--global-cluster-identifier", "nope");
        var renameMember = await Cli.FailureAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "global-member", "--new-db-cluster-identifier", "global-member-old", "--apply-immediately");

        Assert.Equal("arn:aws:sns:us-east-1:111111111111:ops", subscription["SnsTopicArn"].Text());
        Assert.Equal(["global-member"], subscription["SourceIdsList"]!.AsArray().Select(s => s.Text()));
        Assert.Equal("SubscriptionNotFound", missingSubscription.ErrorCode);
        Assert.Equal("arn:aws:rds:us-east-1:111111111111:cluster:global-member", global["GlobalClusterMembers"]![0]!["DBClusterArn"].Text());
        Assert.True(global["GlobalClusterMembers"]![0]!["IsWriter"]!.GetValue<bool>());
        Assert.Equal("GlobalClusterNotFoundFault", missingGlobal.ErrorCode);
        Assert.Equal("InvalidDBClusterStateFault", renameMember.ErrorCode);
    }

    [Fact]
    public async Task CreateDBProxy_makes_a_proxy_that_is_creating_then_available_taggable_and_deletable()
    {
        string[] create =
        [
            "rds", "create-db-proxy", "--db-proxy-name", "api-proxy", "--engine-family", "POSTGRESQL",
            "--role-arn", "arn:aws:iam::111111111111:role/rds-proxy", "--vpc-subnet-ids", "subnet-0aaa", "subnet-0bbb",
            "--auth", "AuthScheme=SECRETS,SecretArn=arn:aws:secretsmanager:us-east-1:111111111111:secret:db,IAMAuth=DISABLED",
            "--require-tls", "--tags", "Key=team,Value=ledger",
        ];

        var created = (await Cli.JsonAsync(create))["DBProxy"]!;
        var duplicate = await Cli.FailureAsync(create);
        var notYet = await Cli.FailureAsync("rds", "register-db-proxy-targets", "--db-proxy-name", "api-proxy", "--db-cluster-identifiers", "anything");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Modify);
        var described = (await Cli.JsonAsync("rds", "describe-db-proxies", "--db-proxy-name", "api-proxy"))["DBProxies"]![0]!;
        var tags = (await Cli.JsonAsync("rds", "list-tags-for-resource", "--resource-name", described["DBProxyArn"].Text()))["TagList"]!.AsArray();
        var deleted = (await Cli.JsonAsync("rds", "delete-db-proxy", "--db-proxy-name", "api-proxy"))["DBProxy"]!;
        var gone = await Cli.FailureAsync("rds", "delete-db-proxy", "--db-proxy-name", "api-proxy");

        Assert.Equal("creating", created["Status"].Text());
        Assert.Equal("DBProxyAlreadyExistsFault", duplicate.ErrorCode);
        Assert.Equal("InvalidDBProxyStateFault", notYet.ErrorCode);
        Assert.Equal("available", described["Status"].Text());
        Assert.True(described["RequireTLS"]!.GetValue<bool>());
        Assert.Equal(["subnet-0aaa", "subnet-0bbb"], described["VpcSubnetIds"]!.AsArray().Select(s => s.Text()));
        Assert.Equal("SECRETS", described["Auth"]![0]!["AuthScheme"].Text());
        Assert.Matches(@"^api-proxy\.proxy-[a-z0-9]{12}\.us-east-1\.rds\.amazonaws\.com$", described["Endpoint"].Text());
        Assert.Equal([("team", "ledger")], tags.Select(t => (t!["Key"].Text(), t["Value"].Text())));
        Assert.Equal("deleting", deleted["Status"].Text());
        Assert.Equal("DBProxyNotFoundFault", gone.ErrorCode);
    }

    [Fact]
    public async Task Proxy_targets_are_registered_described_and_deregistered_per_cluster()
    {
        await fixture.AvailableClusterAsync("proxied");
        await PostAsync("/_sandbox/rds/proxies", new { name = "ledger-proxy", engineFamily = "POSTGRESQL" });

        var proxy = (await Cli.JsonAsync("rds", "describe-db-proxies", "--db-proxy-name", "ledger-proxy"))["DBProxies"]![0]!;
        var registered = (await Cli.JsonAsync("rds", "register-db-proxy-targets", "--db-proxy-name", "ledger-proxy", "--db-cluster-identifiers", "proxied"))["DBProxyTargets"]!.AsArray();
        var again = await Cli.FailureAsync("rds", "register-db-proxy-targets", "--db-proxy-name", "ledger-proxy", "--db-cluster-identifiers", "proxied");
        var targets = (await Cli.JsonAsync("rds", "describe-db-proxy-targets", "--db-proxy-name", "ledger-proxy"))["Targets"]!.AsArray();
        await Cli.JsonAsync("rds", "deregister-db-proxy-targets", "--db-proxy-name", "ledger-proxy", "--db-cluster-identifiers", "proxied");
        var afterDeregister = (await Cli.JsonAsync("rds", "describe-db-proxy-targets", "--db-proxy-name", "ledger-proxy"))["Targets"]!.AsArray();
        var notRegistered = await Cli.FailureAsync("rds", "deregister-db-proxy-targets", "--db-proxy-name", "ledger-proxy", "--db-cluster-identifiers", "proxied");
        var missingProxy = await Cli.FailureAsync("rds", "describe-db-proxies", "--db-proxy-name", "nope");

        Assert.Equal("POSTGRESQL", proxy["EngineFamily"].Text());
        Assert.Equal("available", proxy["Status"].Text());
        Assert.Equal(["TRACKED_CLUSTER", "RDS_INSTANCE"], registered.Select(t => t!["Type"].Text()));
        Assert.Equal("DBProxyTargetAlreadyRegisteredFault", again.ErrorCode);
        Assert.Equal("READ_WRITE", targets.Single(t => t!["Type"].Text() == "RDS_INSTANCE")!["Role"].Text());
        Assert.Equal("AVAILABLE", targets.Single(t => t!["Type"].Text() == "RDS_INSTANCE")!["TargetHealth"]!["State"].Text());
        Assert.Empty(afterDeregister);
        Assert.Equal("DBProxyTargetNotFoundFault", notRegistered.ErrorCode);
        Assert.Equal("DBProxyNotFoundFault", missingProxy.ErrorCode);
    }
}
