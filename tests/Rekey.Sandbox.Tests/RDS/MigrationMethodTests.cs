using System.Globalization;
using System.Net;
using DnsClient;
using Rekey.Sandbox.Dns;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>A sandbox whose clock runs 600 times faster than real time: AWS minutes pass in tenths of a second.</summary>
public sealed class FastClockFixture : SandboxFixture
{
    protected override SandboxOptions Options => SandboxOptions.ForTests(clockSpeed: 600);
}

/// <summary>
/// The whole key migration by hand through the AWS CLI, on a clock that runs by itself: rename
/// the old cluster, see its endpoint leave DNS, take T1 from AWS's clock, restore at T1 with a
/// customer key into the old identifier, add the instance, and see the original endpoint come back
/// for the new cluster with exactly the data written up to T1.
/// </summary>
public sealed class MigrationMethodTests(FastClockFixture fixture) : IClassFixture<FastClockFixture>
{
    private const string Account = "111111111111";

    private AwsCli Cli => fixture.Cli;

    private Task WaitForClusterAsync(string identifier, string status) =>
        SandboxFixture.WaitUntilAsync(async () => (await Cli.DescribeClusterAsync(identifier))["Status"].Text() == status, $"{identifier} is {status}", 90);

    [Fact]
    public async Task Rename_restore_at_T1_with_a_customer_key_brings_the_original_endpoint_back_on_the_new_cluster_with_the_data_up_to_T1()
    {
        // An encrypted cluster on the AWS managed key, with its writer, and an application writing to it.
        var key = fixture.CreateCustomerKey(Account, "us-east-1", "alias/ledger-cmk");
        await fixture.Query.CreateClusterAsync("ledger", encrypted: true);
        await SandboxFixture.WaitUntilAsync(() => Task.FromResult(fixture.Read(rds => rds.FindCluster(Account, "us-east-1", "ledger")!.Status) == "available"), "ledger is available");
        await fixture.Query.CreateInstanceAsync("ledger", "ledger-1");
        await SandboxFixture.WaitUntilAsync(() => Task.FromResult(fixture.Read(rds => rds.FindInstance(Account, "us-east-1", "ledger-1")!.Status) == "available"), "ledger-1 is available");
        var endpoint = (await Cli.DescribeClusterAsync("ledger"))["Endpoint"].Text();
        var oldAddress = Assert.Single((await fixture.ResolveAsync(endpoint)).Addresses);
        var connection = fixture.Applications.Open(endpoint);
        Assert.True(fixture.Applications.Write(connection.Id, "w-1", "a").Acknowledged);
        Assert.True(fixture.Applications.Write(connection.Id, "w-2", "b").Acknowledged);
        var methodStart = fixture.Sandbox.Clock.Now;

        // 1. Rename the old cluster; its endpoint leaves DNS.
        await Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "ledger", "--new-db-cluster-identifier", "ledger-old", "--apply-immediately");
        await SandboxFixture.WaitUntilAsync(async () => (await fixture.ResolveAsync(endpoint)).Code == DnsHeaderResponseCode.NotExistentDomain, "the old endpoint is gone from DNS");

        // An open connection still writes to the renamed cluster: DNS alone proves nothing.
        var throughOpenConnection = fixture.Applications.Write(connection.Id, "w-3", "c");
        Assert.True(throughOpenConnection.Acknowledged);
        Assert.Equal("ledger-old", throughOpenConnection.ClusterIdentifier);

        // 2. Free the instance identifier; the rename reboots the instance and closes the connection.
        await Cli.JsonAsync("rds", "modify-db-instance", "--db-instance-identifier", "ledger-1", "--new-db-instance-identifier", "ledger-1-old", "--apply-immediately");
        Assert.False(fixture.Applications.Write(connection.Id, "w-4", "d").Acknowledged);

        // 3. T1 from AWS's clock, then wait until the source can be restored to it.
        var t1 = await fixture.Query.ServerDateAsync();
        await WaitForClusterAsync("ledger-old", "available");
        await SandboxFixture.WaitUntilAsync(
            async () => DateTimeOffset.Parse((await Cli.DescribeClusterAsync("ledger-old"))["LatestRestorableTime"].Text(), CultureInfo.InvariantCulture) >= t1,
            "LatestRestorableTime reaches T1",
            90);

        // 4. Restore at T1 into the old identifier, on the customer key.
        var restoring = (await Cli.JsonAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "ledger", "--source-db-cluster-identifier", "ledger-old",
            "--restore-to-time", QueryXml.Timestamp(t1), "--kms-key-id", "alias/ledger-cmk", "--tags", "Key=rekey:role,Value=target"))["DBCluster"]!;
        Assert.Equal(endpoint, restoring["Endpoint"].Text());
        await WaitForClusterAsync("ledger", "available");

        // 5. The instance, under the old writer's identifier.
        await Cli.CreateInstanceAsync("ledger", "ledger-1");
        await SandboxFixture.WaitUntilAsync(async () => (await Cli.DescribeInstanceAsync("ledger-1"))["DBInstanceStatus"].Text() == "available", "the new ledger-1 is available", 90);

        // The original endpoint resolves again, to the new cluster.
        var restored = await Cli.DescribeClusterAsync("ledger");
        var newResourceId = restored["DbClusterResourceId"].Text();
        var newAddress = Assert.Single((await fixture.ResolveAsync(endpoint)).Addresses);
        Assert.Equal(IPAddress.Parse(DnsZone.LoopbackAddressFor(newResourceId)), newAddress);
        Assert.NotEqual(oldAddress, newAddress);
        Assert.Equal(oldAddress, Assert.Single((await fixture.ResolveAsync(RdsState.ClusterEndpointName(Account, "us-east-1", "ledger-old"))).Addresses));
        var reconnected = fixture.Applications.Write(fixture.Applications.Open(endpoint).Id, "w-5", "e");
        Assert.Equal(newResourceId, reconnected.ClusterResourceId);

        // The new cluster is on the customer key and holds the source's writes up to T1; the old one is untouched.
        Assert.Equal(key.Arn, restored["KmsKeyId"].Text());
        Assert.True(restored["DBClusterMembers"]![0]!["IsClusterWriter"]!.GetValue<bool>());
        var oldCluster = await Cli.DescribeClusterAsync("ledger-old");
        Assert.Equal(fixture.Sandbox.Runtime.Read(() => fixture.Sandbox.Keys.AwsManagedKey(Account, "us-east-1", "rds")).Arn, oldCluster["KmsKeyId"].Text());
        var (oldWrites, newWrites) = fixture.Read(rds => (
            rds.FindCluster(Account, "us-east-1", "ledger-old")!.Writes.ToList(),
            rds.FindCluster(Account, "us-east-1", "ledger")!.Writes.ToList()));
        Assert.Equal(["w-1", "w-2", "w-3"], oldWrites.Select(w => w.Key));
        Assert.Equal(oldWrites.Where(w => w.Time <= t1), newWrites.Where(w => w.Key != "w-5"));
        Assert.Equal(["w-1", "w-2", "w-3", "w-5"], newWrites.Select(w => w.Key));

        // Four mutating RDS calls made the cutover.
        Assert.Equal(
            ["ModifyDBCluster", "ModifyDBInstance", "RestoreDBClusterToPointInTime", "CreateDBInstance"],
            fixture.Sandbox.Calls.Find(account: Account, service: "rds", mutating: true).Where(c => c.Time >= methodStart).Select(c => c.Operation));
    }
}
