using System.Net;
using DnsClient;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Tests;

public sealed class DnsAndEndpointTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    private string ClusterEndpoint(string identifier, string account = "111111111111") =>
        Rekey.Sandbox.RDS.RdsState.ClusterEndpointName(account, "us-east-1", identifier);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cluster_endpoint_answers_a_CNAME_and_a_loopback_A_record_over_UDP_and_TCP(bool tcp)
    {
        var identifier = tcp ? "dns-tcp" : "dns-udp";
        await fixture.AvailableClusterAsync(identifier);

        var answer = await fixture.ResolveAsync(ClusterEndpoint(identifier), tcp);
        var reader = await fixture.ResolveAsync(Rekey.Sandbox.RDS.RdsState.ReaderEndpointName("111111111111", "us-east-1", identifier), tcp);

        Assert.Equal(DnsHeaderResponseCode.NoError, answer.Code);
        Assert.Single(answer.Cnames);
        var address = Assert.Single(answer.Addresses);
        Assert.True(IPAddress.IsLoopback(address));
        Assert.NotEqual(IPAddress.Loopback, address);
        Assert.Equal(answer.Addresses, reader.Addresses);
    }

    [Fact]
    public async Task A_name_that_no_resource_publishes_is_NXDOMAIN()
    {
        var answer = await fixture.ResolveAsync(ClusterEndpoint("never-created"));

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, answer.Code);
        Assert.Empty(answer.Addresses);
    }

    [Fact]
    public async Task A_cluster_rename_reaches_DNS_only_after_the_DNS_change_delay()
    {
        await fixture.AvailableClusterAsync("dns-rename");
        var before = await fixture.ResolveAsync(ClusterEndpoint("dns-rename"));

        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "dns-rename", "--new-db-cluster-identifier", "dns-rename-old", "--apply-immediately");
        var oldDuringDelay = await fixture.ResolveAsync(ClusterEndpoint("dns-rename"));
        var newDuringDelay = await fixture.ResolveAsync(ClusterEndpoint("dns-rename-old"));
        fixture.Advance(fixture.Sandbox.Runtime.Durations.DnsChange);
        var oldAfter = await fixture.ResolveAsync(ClusterEndpoint("dns-rename"));
        var newAfter = await fixture.ResolveAsync(ClusterEndpoint("dns-rename-old"));

        Assert.True(oldDuringDelay.Exists);
        Assert.False(newDuringDelay.Exists);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, oldAfter.Code);
        Assert.Equal(before.Addresses, newAfter.Addresses);
    }

    [Fact]
    public async Task Renaming_back_after_a_restore_gives_the_original_endpoint_back_to_the_old_cluster()
    {
        await fixture.AvailableClusterAsync("rollback");
        var oldAddress = Assert.Single((await fixture.ResolveAsync(ClusterEndpoint("rollback"))).Addresses);
        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "rollback", "--new-db-cluster-identifier", "rollback-old", "--apply-immediately");
        fixture.Advance(TimeSpan.FromMinutes(6));
        await Cli.JsonAsync("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "rollback", "--source-db-cluster-identifier", "rollback-old", "--use-latest-restorable-time");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Restore);
        var restoredAddress = Assert.Single((await fixture.ResolveAsync(ClusterEndpoint("rollback"))).Addresses);

        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "rollback", "--new-db-cluster-identifier", "rollback-new", "--apply-immediately");
        var taken = await Cli.FailureAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "rollback-old", "--new-db-cluster-identifier", "rollback-new", "--apply-immediately");
        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "rollback-old", "--new-db-cluster-identifier", "rollback", "--apply-immediately");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.DnsChange);
        var rolledBack = Assert.Single((await fixture.ResolveAsync(ClusterEndpoint("rollback"))).Addresses);
        var write = fixture.Applications.Write(fixture.Applications.Open(ClusterEndpoint("rollback")).Id, "after-rollback", "x");

        Assert.NotEqual(oldAddress, restoredAddress);
        Assert.Equal("DBClusterAlreadyExistsFault", taken.ErrorCode);
        Assert.Equal(oldAddress, rolledBack);
        Assert.Equal(restoredAddress, Assert.Single((await fixture.ResolveAsync(ClusterEndpoint("rollback-new"))).Addresses));
        Assert.Equal("rollback", write.ClusterIdentifier);
        Assert.Equal(fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "rollback")!.ResourceId), write.ClusterResourceId);
    }

    [Fact]
    public async Task A_slow_DNS_fault_delays_a_rename_beyond_the_usual_delay()
    {
        await fixture.AvailableClusterAsync("dns-slow");
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.SlowDns, DelaySeconds = 600 });
        try
        {
            await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "dns-slow", "--new-db-cluster-identifier", "dns-slow-old", "--apply-immediately");
            fixture.Advance(fixture.Sandbox.Runtime.Durations.DnsChange);
            var afterUsualDelay = await fixture.ResolveAsync(ClusterEndpoint("dns-slow"));
            fixture.Advance(TimeSpan.FromMinutes(10));
            var afterSlowDelay = await fixture.ResolveAsync(ClusterEndpoint("dns-slow"));

            Assert.True(afterUsualDelay.Exists);
            Assert.False(afterSlowDelay.Exists);
        }
        finally
        {
            fixture.Sandbox.Faults.Clear();
        }
    }

    [Fact]
    public async Task A_custom_endpoint_keeps_its_name_and_keeps_routing_to_its_cluster_after_the_cluster_is_renamed()
    {
        await fixture.AvailableClusterAsync("custom-src");
        var created = await Cli.JsonAsync("rds", "create-db-cluster-endpoint", "--db-cluster-identifier", "custom-src", "--db-cluster-endpoint-identifier", "custom-src-any", "--endpoint-type", "ANY");
        fixture.Advance(TimeSpan.FromMinutes(1));
        var clusterAddress = (await fixture.ResolveAsync(ClusterEndpoint("custom-src"))).Addresses;

        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "custom-src", "--new-db-cluster-identifier", "custom-src-old", "--apply-immediately");
        fixture.Advance(TimeSpan.FromMinutes(2));
        var endpoints = (await Cli.JsonAsync("rds", "describe-db-cluster-endpoints", "--db-cluster-identifier", "custom-src-old"))["DBClusterEndpoints"]!.AsArray();
        var custom = endpoints.Single(e => e!["EndpointType"].Text() == "CUSTOM")!;
        var resolved = await fixture.ResolveAsync(created["Endpoint"].Text());

        Assert.Equal("creating", created["Status"].Text());
        Assert.Matches(@"^custom-src-any\.cluster-custom-[a-z0-9]{12}\.us-east-1\.rds\.amazonaws\.com$", created["Endpoint"].Text());
        Assert.Equal(created["Endpoint"].Text(), custom["Endpoint"].Text());
        Assert.Equal("custom-src-old", custom["DBClusterIdentifier"].Text());
        Assert.Equal("available", custom["Status"].Text());
        Assert.Equal(["WRITER", "READER", "CUSTOM"], endpoints.Select(e => e!["EndpointType"].Text()));
        Assert.Equal(clusterAddress, resolved.Addresses);
    }

    [Fact]
    public async Task Custom_endpoint_names_stay_taken_in_the_account_and_region_until_the_endpoint_is_deleted()
    {
        await fixture.AvailableClusterAsync("names-a");
        await fixture.AvailableClusterAsync("names-b");
        await fixture.AvailableClusterAsync("names-c", account: "222222222222");
        await Cli.JsonAsync("rds", "create-db-cluster-endpoint", "--db-cluster-identifier", "names-a", "--db-cluster-endpoint-identifier", "shared-name", "--endpoint-type", "READER");
        fixture.Advance(TimeSpan.FromMinutes(1));
        string[] onB = ["rds", "create-db-cluster-endpoint", "--db-cluster-identifier", "names-b", "--db-cluster-endpoint-identifier", "shared-name", "--endpoint-type", "READER"];

        var whileExists = await Cli.FailureAsync(onB);
        var otherAccount = await Cli.As("222222222222").JsonAsync("rds", "create-db-cluster-endpoint", "--db-cluster-identifier", "names-c", "--db-cluster-endpoint-identifier", "shared-name", "--endpoint-type", "READER");
        var deleting = await Cli.JsonAsync("rds", "delete-db-cluster-endpoint", "--db-cluster-endpoint-identifier", "shared-name");
        var whileDeleting = await Cli.FailureAsync(onB);
        fixture.Advance(TimeSpan.FromMinutes(1));
        var afterDeletion = await Cli.JsonAsync(onB);

        Assert.Equal("DBClusterEndpointAlreadyExistsFault", whileExists.ErrorCode);
        Assert.Equal("shared-name", otherAccount["DBClusterEndpointIdentifier"].Text());
        Assert.Equal("deleting", deleting["Status"].Text());
        Assert.Equal("DBClusterEndpointAlreadyExistsFault", whileDeleting.ErrorCode);
        Assert.Equal("names-b", afterDeletion["DBClusterIdentifier"].Text());
    }

    [Fact]
    public async Task Custom_endpoint_members_must_be_instances_of_the_cluster_and_missing_endpoints_cannot_be_deleted()
    {
        await fixture.AvailableClusterAsync("members");

        var unknownMember = await Cli.FailureAsync(
            "rds", "create-db-cluster-endpoint", "--db-cluster-identifier", "members", "--db-cluster-endpoint-identifier", "members-static",
            "--endpoint-type", "READER", "--static-members", "not-an-instance");
        var staticMember = await Cli.JsonAsync(
            "rds", "create-db-cluster-endpoint", "--db-cluster-identifier", "members", "--db-cluster-endpoint-identifier", "members-static",
            "--endpoint-type", "READER", "--static-members", "members-1");
        var missing = await Cli.FailureAsync("rds", "delete-db-cluster-endpoint", "--db-cluster-endpoint-identifier", "no-such-endpoint");

        Assert.Equal("DBInstanceNotFound", unknownMember.ErrorCode);
        Assert.Equal(["members-1"], staticMember["StaticMembers"]!.AsArray().Select(m => m.Text()));
        Assert.Equal("DBClusterEndpointNotFoundFault", missing.ErrorCode);
    }
}
