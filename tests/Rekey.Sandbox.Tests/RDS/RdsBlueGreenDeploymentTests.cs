using Rekey.Sandbox.RDS;
using static Rekey.Sandbox.Tests.BlueGreenTestData;

namespace Rekey.Sandbox.Tests.RDS;

/// <summary>Creating, describing and deleting Blue/Green deployments through the AWS CLI.</summary>
public sealed class RdsBlueGreenDeploymentTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    [Fact]
    public async Task A_deployment_provisions_green_as_a_copy_named_green_task_by_task_and_then_is_AVAILABLE()
    {
        var source = await fixture.EligibleClusterAsync("bg-provision", instances: 2);

        var created = await Cli.CreateDeploymentAsync("provision", source, "--tags", "Key=owner,Value=db");
        var green = ClusterName(created["Target"].Text());
        var greenWhileCopying = await Cli.DescribeClusterAsync(green);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Restore);
        var afterCopy = await Cli.DescribeDeploymentAsync(created["BlueGreenDeploymentIdentifier"].Text());
        fixture.Advance(fixture.Provisioning(2) - fixture.Sandbox.Runtime.Durations.Restore);
        var available = await Cli.DescribeDeploymentAsync(created["BlueGreenDeploymentIdentifier"].Text());
        var greenCluster = await Cli.DescribeClusterAsync(green);
        var greenInstances = greenCluster["DBClusterMembers"]!.AsArray().Select(m => m!["DBInstanceIdentifier"].Text()).Order(StringComparer.Ordinal).ToList();
        var events = await Cli.EventMessagesAsync("blue-green-deployment", created["BlueGreenDeploymentIdentifier"].Text());

        Assert.Matches("^bgd-[a-z0-9]{16}$", created["BlueGreenDeploymentIdentifier"].Text());
        Assert.Equal("PROVISIONING", created["Status"].Text());
        Assert.Equal(source, created["Source"].Text());
        Assert.Matches("^bg-provision-green-[a-z0-9]{6}$", green);
        Assert.Equal(["CREATING_READ_REPLICA_OF_SOURCE", "CONFIGURE_BACKUPS", "CREATING_TOPOLOGY_OF_SOURCE"], created["Tasks"]!.AsArray().Select(t => t!["Name"].Text()));
        Assert.Equal(["IN_PROGRESS", "PENDING", "PENDING"], created["Tasks"]!.AsArray().Select(t => t!["Status"].Text()));
        Assert.Equal("creating", greenWhileCopying["Status"].Text());
        Assert.Equal(["COMPLETED", "IN_PROGRESS", "PENDING"], afterCopy["Tasks"]!.AsArray().Select(t => t!["Status"].Text()));
        Assert.Equal("PROVISIONING", afterCopy["Status"].Text());
        Assert.Equal("AVAILABLE", available["Status"].Text());
        Assert.All(available["Tasks"]!.AsArray(), t => Assert.Equal("COMPLETED", t!["Status"].Text()));
        Assert.Equal(3, available["SwitchoverDetails"]!.AsArray().Count);
        Assert.All(available["SwitchoverDetails"]!.AsArray(), d => Assert.Equal("AVAILABLE", d!["Status"].Text()));
        Assert.Contains(available["SwitchoverDetails"]!.AsArray(), d => d!["SourceMember"].Text() == $"arn:aws:rds:{Region}:{Account}:db:bg-provision-1");
        Assert.Equal("owner", available["TagList"]![0]!["Key"].Text());
        Assert.Equal("available", greenCluster["Status"].Text());
        Assert.Equal(2, greenInstances.Count);
        Assert.All(greenInstances, i => Assert.Matches("^bg-provision-[12]-green-[a-z0-9]{6}$", i));
        Assert.Contains(events, m => m.StartsWith("Blue/green deployment tasks completed.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Provisioning_takes_longer_for_a_cluster_with_more_instances_and_more_data()
    {
        var small = await fixture.EligibleClusterAsync("bg-small");
        var large = await fixture.EligibleClusterAsync("bg-large", instances: 3);
        var heavy = await fixture.EligibleClusterAsync("bg-heavy");
        var connection = fixture.Applications.Open(Endpoint("bg-heavy"));
        for (var n = 0; n < 5000; n++)
        {
            fixture.Applications.Write(connection.Id, $"row-{n}", "x");
        }

        var smallId = (await Cli.CreateDeploymentAsync("small", small))["BlueGreenDeploymentIdentifier"].Text();
        var largeId = (await Cli.CreateDeploymentAsync("large", large))["BlueGreenDeploymentIdentifier"].Text();
        var heavyId = (await Cli.CreateDeploymentAsync("heavy", heavy))["BlueGreenDeploymentIdentifier"].Text();
        fixture.Advance(fixture.Provisioning(1));

        Assert.Equal("AVAILABLE", (await Cli.DescribeDeploymentAsync(smallId))["Status"].Text());
        Assert.Equal("PROVISIONING", (await Cli.DescribeDeploymentAsync(largeId))["Status"].Text());
        Assert.Equal("PROVISIONING", (await Cli.DescribeDeploymentAsync(heavyId))["Status"].Text());

        // 5,000 writes add 5 minutes of copying; 3 instances add two more instance creations.
        fixture.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("AVAILABLE", (await Cli.DescribeDeploymentAsync(heavyId))["Status"].Text());
        Assert.Equal("PROVISIONING", (await Cli.DescribeDeploymentAsync(largeId))["Status"].Text());
        fixture.Advance(fixture.Provisioning(3) - fixture.Provisioning(1));
        Assert.Equal("AVAILABLE", (await Cli.DescribeDeploymentAsync(largeId))["Status"].Text());
    }

    [Fact]
    public async Task A_target_engine_version_adds_the_upgrade_task_and_green_runs_that_version()
    {
        var source = await fixture.EligibleClusterAsync("bg-upgrade");

        var created = await Cli.CreateDeploymentAsync("upgrade", source, "--target-engine-version", "16.8");
        var green = await Cli.DescribeClusterAsync(ClusterName(created["Target"].Text()));

        Assert.Equal(["CREATING_READ_REPLICA_OF_SOURCE", "DB_ENGINE_VERSION_UPGRADE", "CONFIGURE_BACKUPS", "CREATING_TOPOLOGY_OF_SOURCE"], created["Tasks"]!.AsArray().Select(t => t!["Name"].Text()));
        Assert.Equal("16.8", green["EngineVersion"].Text());
    }

    [Fact]
    public async Task CreateBlueGreenDeployment_refuses_what_AWS_refuses_with_its_error_codes()
    {
        var source = await fixture.EligibleClusterAsync("bg-refusals");
        await fixture.ClusterAsync("bg-secret", 1, "aurora-postgresql", ("ManageMasterUserPassword", "true"));
        var free = await fixture.EligibleClusterAsync("bg-refusals-free");
        await Cli.CreateDeploymentAsync("taken", source);

        string[] Create(string name, string arn, params string[] extra) => ["rds", "create-blue-green-deployment", "--blue-green-deployment-name", name, "--source", arn, .. extra];
        var missing = await Cli.FailureAsync(Create("missing", Arn("nothing-here")));
        var instance = await Cli.FailureAsync(Create("instance", $"arn:aws:rds:{Region}:{Account}:db:bg-refusals-1"));
        var secret = await Cli.FailureAsync(Create("secret", Arn("bg-secret")));
        var sameName = await Cli.FailureAsync(Create("taken", Arn("bg-secret")));
        var sameSource = await Cli.FailureAsync(Create("again", source));
        var badName = await Cli.FailureAsync(Create("bad--name", Arn("bg-secret")));
        var noGroup = await Cli.FailureAsync(Create("no-group", free, "--target-db-cluster-parameter-group-name", "no-such-group"));
        var instanceClass = await Cli.FailureAsync(Create("instance-class", free, "--target-db-instance-class", "db.r6g.xlarge"));

        Assert.Equal("DBClusterNotFoundFault", missing.ErrorCode);
        Assert.Equal("SourceDatabaseNotSupportedFault", instance.ErrorCode);
        Assert.Equal("SourceClusterNotSupportedFault", secret.ErrorCode);
        Assert.Contains("Secrets Manager", secret.Stderr, StringComparison.Ordinal);
        Assert.Equal("BlueGreenDeploymentAlreadyExistsFault", sameName.ErrorCode);
        Assert.Equal("BlueGreenDeploymentAlreadyExistsFault", sameSource.ErrorCode);
        Assert.Equal("InvalidParameterValue", badName.ErrorCode);
        Assert.Equal("DBClusterParameterGroupNotFound", noGroup.ErrorCode);
        Assert.Equal("InvalidParameterCombination", instanceClass.ErrorCode);
    }

    [Theory]
    [InlineData("aurora-postgresql", false, "rds.logical_replication")]
    [InlineData("aurora-mysql", false, "binlog_format")]
    [InlineData("aurora-postgresql", true, "not in sync")]
    public async Task An_ineligible_source_is_accepted_and_then_INVALID_CONFIGURATION_with_the_reason(string engine, bool pendingReboot, string reason)
    {
        var identifier = $"bg-invalid-{engine[7..]}-{(pendingReboot ? "reboot" : "params")}";
        if (pendingReboot)
        {
            await fixture.EligibleClusterAsync(identifier, engine: engine);
            await fixture.Query.CallAsync(
                "ModifyDBClusterParameterGroup",
                [new("DBClusterParameterGroupName", identifier + "-params"), new("Parameters.Parameter.1.ParameterName", "max_replication_slots"), new("Parameters.Parameter.1.ParameterValue", "30"), new("Parameters.Parameter.1.ApplyMethod", "pending-reboot")]);
        }
        else
        {
            await fixture.ClusterAsync(identifier, 1, engine);
        }

        var created = await Cli.CreateDeploymentAsync("invalid-" + identifier[11..], Arn(identifier));
        fixture.Advance(BlueGreenTimings.EligibilityCheck);
        var described = await Cli.DescribeDeploymentAsync(created["BlueGreenDeploymentIdentifier"].Text());
        var switchover = await Cli.FailureAsync("rds", "switchover-blue-green-deployment", "--blue-green-deployment-identifier", created["BlueGreenDeploymentIdentifier"].Text());
        var events = await Cli.EventMessagesAsync("blue-green-deployment");

        Assert.Equal("PROVISIONING", created["Status"].Text());
        Assert.Equal("INVALID_CONFIGURATION", described["Status"].Text());
        Assert.Contains(reason, described["StatusDetails"].Text(), StringComparison.Ordinal);
        Assert.Equal("FAILED", described["Tasks"]![0]!["Status"].Text());
        Assert.Equal("InvalidBlueGreenDeploymentStateFault", switchover.ErrorCode);
        Assert.Contains(events, m => m.StartsWith("Creation of blue/green deployment failed", StringComparison.Ordinal) && m.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeBlueGreenDeployments_filters_by_identifier_name_source_and_target_and_refuses_other_filters()
    {
        var first = await Cli.CreateDeploymentAsync("listed-first", await fixture.EligibleClusterAsync("bg-listed-1"));
        var second = await Cli.CreateDeploymentAsync("listed-second", await fixture.EligibleClusterAsync("bg-listed-2"));

        async Task<List<string>> NamesAsync(string filter, string value) =>
            [.. (await Cli.JsonAsync("rds", "describe-blue-green-deployments", "--filters", $"Name={filter},Values={value}"))["BlueGreenDeployments"]!.AsArray().Select(d => d!["BlueGreenDeploymentName"].Text())];

        var byIdentifier = await NamesAsync("blue-green-deployment-identifier", first["BlueGreenDeploymentIdentifier"].Text());
        var byName = await NamesAsync("blue-green-deployment-name", "listed-second");
        var bySource = await NamesAsync("source", first["Source"].Text());
        var byTarget = await NamesAsync("target", second["Target"].Text());
        var upperCaseIdentifier = await Cli.DescribeDeploymentAsync(first["BlueGreenDeploymentIdentifier"].Text().ToUpperInvariant());
        var unknownFilter = await Cli.FailureAsync("rds", "describe-blue-green-deployments", "--filters", "Name=status,Values=AVAILABLE");
        var unknown = await Cli.FailureAsync("rds", "describe-blue-green-deployments", "--blue-green-deployment-identifier", "bgd-0000000000000000");

        Assert.Equal(["listed-first"], byIdentifier);
        Assert.Equal(["listed-second"], byName);
        Assert.Equal(["listed-first"], bySource);
        Assert.Equal(["listed-second"], byTarget);
        Assert.Equal("listed-first", upperCaseIdentifier["BlueGreenDeploymentName"].Text());
        Assert.Equal("InvalidParameterValue", unknownFilter.ErrorCode);
        Assert.Equal("BlueGreenDeploymentNotFoundFault", unknown.ErrorCode);
    }

    [Fact]
    public async Task TargetResourceConfigurations_put_green_on_the_target_key_even_when_blue_is_unencrypted()
    {
        // The AWS CLI's botocore model predates TargetResourceConfigurations: the request is made as the API reference documents it.
        var source = await fixture.EligibleClusterAsync("bg-target-key", extra: [("StorageEncrypted", "false")]);
        var key = fixture.CreateCustomerKey(Account, Region, "alias/bg-target");
        var disabled = fixture.SetKeyState(fixture.CreateCustomerKey(Account, Region), "Disabled");

        var response = await fixture.Query.CallAsync(
            "CreateBlueGreenDeployment",
            [
                new("BlueGreenDeploymentName", "target-key"), new("Source", source),
                new("TargetResourceConfigurations.TargetResourceConfiguration.1.SourceArn", source),
                new("TargetResourceConfigurations.TargetResourceConfiguration.1.TargetKmsKeyId", "alias/bg-target"),
            ]);
        var target = response.Descendants().First(e => e.Name.LocalName == "Target").Value;
        var green = await Cli.DescribeClusterAsync(ClusterName(target));
        var blue = await Cli.DescribeClusterAsync("bg-target-key");
        var disabledKey = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            var other = await fixture.EligibleClusterAsync("bg-disabled-key");
            await fixture.Query.CallAsync(
                "CreateBlueGreenDeployment",
                [
                    new("BlueGreenDeploymentName", "disabled-key"), new("Source", other),
                    new("TargetResourceConfigurations.member.1.SourceArn", other), new("TargetResourceConfigurations.member.1.TargetKmsKeyId", disabled.Arn),
                ]);
        });
        var otherSource = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Query.CallAsync(
            "CreateBlueGreenDeployment",
            [
                new("BlueGreenDeploymentName", "other-source"), new("Source", Arn("bg-disabled-key")),
                new("TargetResourceConfigurations.member.1.SourceArn", Arn("bg-target-key")), new("TargetResourceConfigurations.member.1.TargetKmsKeyId", key.Arn),
            ]));

        Assert.True(green["StorageEncrypted"]!.GetValue<bool>());
        Assert.Equal(key.Arn, green["KmsKeyId"].Text());
        Assert.False(blue["StorageEncrypted"]!.GetValue<bool>());
        Assert.Contains("KMSKeyNotAccessibleFault", disabledKey.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidParameterCombination", otherSource.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_target_key_green_keeps_blues_key()
    {
        var key = fixture.CreateCustomerKey(Account, Region);
        var source = await fixture.EligibleClusterAsync("bg-same-key", extra: [("StorageEncrypted", "true"), ("KmsKeyId", key.Arn)]);

        var created = await Cli.CreateDeploymentAsync("same-key", source);
        var green = await Cli.DescribeClusterAsync(ClusterName(created["Target"].Text()));

        Assert.Equal(key.Arn, green["KmsKeyId"].Text());
    }

    [Fact]
    public async Task Deleting_before_switchover_with_DeleteTarget_deletes_green_and_then_the_deployment_is_gone()
    {
        var deployment = await fixture.AvailableDeploymentAsync("delete-target", await fixture.EligibleClusterAsync("bg-delete-target", instances: 2), instances: 2);
        var id = deployment["BlueGreenDeploymentIdentifier"].Text();
        var green = ClusterName(deployment["Target"].Text());

        var deleting = (await Cli.JsonAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", id, "--delete-target"))["BlueGreenDeployment"]!;
        var greenWhileDeleting = await Cli.DescribeClusterAsync(green);
        var again = await Cli.FailureAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", id);
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete + TimeSpan.FromSeconds(2));
        var gone = await Cli.FailureAsync("rds", "describe-blue-green-deployments", "--blue-green-deployment-identifier", id);
        var greenGone = await Cli.FailureAsync("rds", "describe-db-clusters", "--db-cluster-identifier", green);
        var blue = await Cli.DescribeClusterAsync("bg-delete-target");
        var events = await Cli.EventMessagesAsync("blue-green-deployment", id);

        Assert.Equal("DELETING", deleting["Status"].Text());
        Assert.NotNull(deleting["DeleteTime"]);
        Assert.Equal("deleting", greenWhileDeleting["Status"].Text());
        Assert.Equal("InvalidBlueGreenDeploymentStateFault", again.ErrorCode);
        Assert.Equal("BlueGreenDeploymentNotFoundFault", gone.ErrorCode);
        Assert.Equal("DBClusterNotFoundFault", greenGone.ErrorCode);
        Assert.Equal("available", blue["Status"].Text());
        Assert.Contains("Blue/green deployment deleted.", events);
    }

    [Fact]
    public async Task Deleting_before_switchover_without_DeleteTarget_leaves_green_standing_and_read_only()
    {
        var deployment = await fixture.AvailableDeploymentAsync("keep-green", await fixture.EligibleClusterAsync("bg-keep-green"));
        var green = ClusterName(deployment["Target"].Text());

        await Cli.JsonAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", deployment["BlueGreenDeploymentIdentifier"].Text());
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Delete);
        var kept = await Cli.DescribeClusterAsync(green);
        var write = fixture.Applications.Write(fixture.Applications.Open(Endpoint(green)).Id, "on-green", "x");

        Assert.Equal("available", kept["Status"].Text());
        Assert.False(write.Acknowledged);
        Assert.Contains("read-only", write.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteTarget_is_refused_for_a_green_with_deletion_protection()
    {
        var deployment = await fixture.AvailableDeploymentAsync("protected", await fixture.EligibleClusterAsync("bg-protected", extra: [("DeletionProtection", "true")]));

        var refused = await Cli.FailureAsync("rds", "delete-blue-green-deployment", "--blue-green-deployment-identifier", deployment["BlueGreenDeploymentIdentifier"].Text(), "--delete-target");

        Assert.Equal("InvalidBlueGreenDeploymentStateFault", refused.ErrorCode);
        Assert.Contains("deletion protection", refused.Stderr, StringComparison.Ordinal);
    }
}
