using Amazon;
using Amazon.Runtime;
using Rekey.Aws;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using static Rekey.Sandbox.Tests.BlueGreenTestData;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>Rekey's generated RDS client (with TargetResourceConfigurations, which botocore's model here lacks) against the sandbox's Blue/Green API.</summary>
public sealed class RekeyClientBlueGreenTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private IAmazonRDS Rds() => new AwsClientFactory(new AwsClientOptions
    {
        ServiceUrl = fixture.Sandbox.BaseUrl.ToString(),
        Credentials = new BasicAWSCredentials(Account, "sandbox-secret"),
        MaxErrorRetry = 0,
    }).CreateRds(RegionEndpoint.USEast1);

    [Fact]
    public async Task Rekeys_client_creates_a_deployment_onto_the_target_key_switches_it_over_and_deletes_it()
    {
        var source = await fixture.EligibleClusterAsync("client-bg");
        var key = fixture.CreateCustomerKey(Account, Region, "alias/client-bg");
        using var rds = Rds();

        var created = (await rds.CreateBlueGreenDeploymentAsync(new CreateBlueGreenDeploymentRequest
        {
            BlueGreenDeploymentName = "client-bg",
            Source = source,
            TargetResourceConfigurations = [new TargetResourceConfiguration { SourceArn = source, TargetKmsKeyId = "alias/client-bg" }],
            Tags = [new Tag { Key = "rekey:strategy", Value = "blue-green" }],
        })).BlueGreenDeployment!;
        fixture.Advance(fixture.Provisioning(1));
        var listed = new List<BlueGreenDeployment>();
        await foreach (var deployment in rds.DescribeBlueGreenDeploymentsAllAsync(new DescribeBlueGreenDeploymentsRequest()))
        {
            listed.Add(deployment);
        }

        var green = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = ClusterName(created.Target!) })).DBClusters![0];
        var switching = (await rds.SwitchoverBlueGreenDeploymentAsync(new SwitchoverBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = created.BlueGreenDeploymentIdentifier, SwitchoverTimeout = 300 })).BlueGreenDeployment!;
        fixture.Advance(TimeSpan.FromMinutes(1));
        var switched = (await rds.DescribeBlueGreenDeploymentsAsync(new DescribeBlueGreenDeploymentsRequest { BlueGreenDeploymentIdentifier = created.BlueGreenDeploymentIdentifier })).BlueGreenDeployments![0];
        var refused = await Assert.ThrowsAnyAsync<AmazonServiceException>(() =>
            rds.DeleteBlueGreenDeploymentAsync(new DeleteBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = created.BlueGreenDeploymentIdentifier, DeleteTarget = true }));
        var deleting = (await rds.DeleteBlueGreenDeploymentAsync(new DeleteBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = created.BlueGreenDeploymentIdentifier })).BlueGreenDeployment!;
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete);
        var gone = await Assert.ThrowsAnyAsync<AmazonServiceException>(() =>
            rds.DescribeBlueGreenDeploymentsAsync(new DescribeBlueGreenDeploymentsRequest { BlueGreenDeploymentIdentifier = created.BlueGreenDeploymentIdentifier }));

        Assert.Equal("PROVISIONING", created.Status);
        Assert.Equal(["CREATING_READ_REPLICA_OF_SOURCE", "CONFIGURE_BACKUPS", "CREATING_TOPOLOGY_OF_SOURCE"], created.Tasks!.Select(t => t.Name));
        Assert.Contains(listed, d => d.BlueGreenDeploymentIdentifier == created.BlueGreenDeploymentIdentifier && d.Status == "AVAILABLE" && d.TagList!.Single().Value == "blue-green");
        Assert.Equal(key.Arn, green.KmsKeyId);
        Assert.Equal("SWITCHOVER_IN_PROGRESS", switching.Status);
        Assert.Equal("SWITCHOVER_COMPLETED", switched.Status);
        Assert.Equal(Arn("client-bg-old1"), switched.Source);
        Assert.Equal(Arn("client-bg"), switched.Target);
        Assert.All(switched.SwitchoverDetails!, d => Assert.Equal("SWITCHOVER_COMPLETED", d.Status));
        Assert.Equal("InvalidBlueGreenDeploymentStateFault", refused.ErrorCode);
        Assert.Equal("DELETING", deleting.Status);
        Assert.NotNull(deleting.DeleteTime);
        Assert.Equal("BlueGreenDeploymentNotFoundFault", gone.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }
}
