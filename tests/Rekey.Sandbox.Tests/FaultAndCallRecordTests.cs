using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Tests;

public sealed class FaultAndCallRecordTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>, IDisposable
{
    private AwsCli Cli => fixture.Cli;

    public void Dispose() => fixture.Sandbox.Faults.Clear();

    [Fact]
    public async Task Throttled_calls_answer_Throttling_and_the_CLI_retries_them_into_a_success()
    {
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Throttle, Service = "rds", Operation = "DescribeDBClusters", Count = 2 });

        var described = await Cli.As("333333333333").JsonAsync("rds", "describe-db-clusters");
        var calls = fixture.Sandbox.Calls.Find(account: "333333333333", operation: "DescribeDBClusters");

        Assert.NotNull(described["DBClusters"]);
        Assert.Equal(["Throttling", "Throttling", null], calls.Select(c => c.ErrorCode));
    }

    [Fact]
    public async Task A_failure_fault_answers_the_given_code_once_and_changes_nothing()
    {
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Fail, Service = "rds", Operation = "CreateDBCluster", ErrorCode = "DBClusterQuotaExceededFault", HttpStatus = 403 });

        var failure = await Cli.FailureAsync(
            "rds", "create-db-cluster", "--db-cluster-identifier", "quota", "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password");
        var existsAfterFailure = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "quota") is not null);
        var retried = (await Cli.CreateClusterAsync("quota"))["DBCluster"]!;

        Assert.Equal("DBClusterQuotaExceededFault", failure.ErrorCode);
        Assert.False(existsAfterFailure);
        Assert.Equal("quota", retried["DBClusterIdentifier"].Text());
    }

    [Fact]
    public async Task A_restore_made_to_fail_ends_in_the_failed_state_after_the_restore_duration()
    {
        await fixture.AvailableClusterAsync("fail-source");
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.FailAsync, Service = "rds", Operation = "RestoreDBClusterToPointInTime" });

        var restoring = (await Cli.JsonAsync("rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "fail-target", "--source-db-cluster-identifier", "fail-source", "--use-latest-restorable-time"))["DBCluster"]!;
        fixture.Advance(fixture.Sandbox.Runtime.Durations.Restore);
        var ended = await Cli.DescribeClusterAsync("fail-target");

        Assert.Equal("creating", restoring["Status"].Text());
        Assert.Equal("failed", ended["Status"].Text());
        Assert.False((await fixture.ResolveAsync(ended["Endpoint"].Text())).Exists);
    }

    [Fact]
    public async Task An_instance_creation_made_to_hang_stays_creating()
    {
        await fixture.Query.CreateClusterAsync("hang");
        fixture.Advance(TimeSpan.FromMinutes(5));
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "CreateDBInstance" });

        await Cli.CreateInstanceAsync("hang", "hang-1");
        fixture.Advance(TimeSpan.FromDays(1));
        var instance = await Cli.DescribeInstanceAsync("hang-1");

        Assert.Equal("creating", instance["DBInstanceStatus"].Text());
    }

    [Fact]
    public async Task A_delayed_tag_write_lands_only_after_its_delay_on_the_sandbox_clock()
    {
        await fixture.AvailableClusterAsync("delayed-tags");
        var arn = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "delayed-tags")!.Arn);
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Delay, Service = "rds", Operation = "AddTagsToResource", DelaySeconds = 3600 });
        var sentAt = fixture.Sandbox.Clock.Now;

        var write = fixture.Query.CallAsync("AddTagsToResource", [new("ResourceName", arn), new("Tags.Tag.1.Key", "late"), new("Tags.Tag.1.Value", "yes")]);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var taggedWhileHeld = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "delayed-tags")!.Tags.Any(t => t.Key == "late"));
        var recordedWhileHeld = fixture.Sandbox.Calls.Find(operation: "AddTagsToResource").Count(c => c.Time >= sentAt);
        fixture.Advance(TimeSpan.FromHours(1));
        await write;
        var taggedAfter = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "delayed-tags")!.Tags.Any(t => t.Key == "late"));
        var served = fixture.Sandbox.Calls.Find(operation: "AddTagsToResource").Last();

        Assert.False(taggedWhileHeld);
        Assert.Equal(0, recordedWhileHeld);
        Assert.True(taggedAfter);
        Assert.True(served.Time >= sentAt + TimeSpan.FromHours(1), $"served at {served.Time:O}, sent at {sentAt:O}");
        Assert.Empty(fixture.Sandbox.Faults.Pending());
    }

    [Fact]
    public async Task Faults_set_through_the_sandbox_api_are_listed_and_consumed_by_the_calls_they_match()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var added = await http.PostAsJsonAsync(
            new Uri("/_sandbox/faults", UriKind.Relative),
            new { kind = "Fail", service = "sts", operation = "GetCallerIdentity", count = 1, errorCode = "AccessDenied", httpStatus = 403 });
        var pending = JsonNode.Parse(await http.GetStringAsync(new Uri("/_sandbox/faults", UriKind.Relative)))!.AsArray();

        var failure = await Cli.FailureAsync("sts", "get-caller-identity");
        var afterwards = JsonNode.Parse(await http.GetStringAsync(new Uri("/_sandbox/faults", UriKind.Relative)))!.AsArray();

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Single(pending);
        Assert.Equal("AccessDenied", failure.ErrorCode);
        Assert.Empty(afterwards);
    }

    [Fact]
    public async Task Every_call_is_recorded_with_account_service_operation_time_and_whether_it_mutates()
    {
        var cli = Cli.As("444444444444");
        var before = fixture.Sandbox.Clock.Now;
        await cli.CreateClusterAsync("recorded");
        await cli.JsonAsync("rds", "describe-db-clusters");
        await cli.JsonAsync("sts", "get-caller-identity");
        await cli.FailureAsync("rds", "describe-db-instances", "--db-instance-identifier", "missing");

        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        var mutating = JsonNode.Parse(await http.GetStringAsync(new Uri("/_sandbox/calls?account=444444444444&mutating=true", UriKind.Relative)))!.AsArray();
        var all = fixture.Sandbox.Calls.Find(account: "444444444444");

        var create = Assert.Single(mutating)!;
        Assert.Equal("rds", create["service"]!.GetValue<string>());
        Assert.Equal("CreateDBCluster", create["operation"]!.GetValue<string>());
        Assert.Equal(
            [("rds", "CreateDBCluster", true), ("rds", "DescribeDBClusters", false), ("sts", "GetCallerIdentity", false), ("rds", "DescribeDBInstances", false)],
            all.Select(c => (c.Service, c.Operation, c.Mutating)));
        Assert.Equal("DBInstanceNotFound", all[^1].ErrorCode);
        Assert.All(all, c => Assert.True(c.Time >= before && c.Region == "us-east-1"));
    }
}

public sealed class IamCallRecordTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>, IDisposable
{
    private AwsCli Cli => fixture.Cli;

    public void Dispose() => fixture.Sandbox.Faults.Clear();

    [Fact]
    public async Task A_restore_records_its_source_with_its_tags_the_cluster_it_creates_with_the_requests_tags_and_the_caller()
    {
        await fixture.AvailableClusterAsync("iam-source");
        var sourceArn = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "iam-source")!.Arn);
        await Cli.JsonAsync("rds", "add-tags-to-resource", "--resource-name", sourceArn, "--tags", "Key=team,Value=payments");

        await Cli.JsonAsync(
            "rds", "restore-db-cluster-to-point-in-time", "--db-cluster-identifier", "iam-target", "--source-db-cluster-identifier", "iam-source",
            "--use-latest-restorable-time", "--tags", "Key=rekey:role,Value=target");
        var restore = fixture.Sandbox.Calls.Find(operation: "RestoreDBClusterToPointInTime").Last();

        Assert.Equal("arn:aws:iam::111111111111:root", restore.Principal);
        Assert.Equal("target", restore.RequestTags!["rekey:role"]);
        var source = Assert.Single(restore.Resources!, r => r.Arn == sourceArn);
        Assert.Equal(CallResourceUse.Named, source.Use);
        Assert.Equal("payments", source.Tags["team"]);
        var target = Assert.Single(restore.Resources!, r => r.Arn.EndsWith(":cluster:iam-target", StringComparison.Ordinal));
        Assert.Equal(CallResourceUse.Created, target.Use);
        Assert.Equal("target", target.Tags["rekey:role"]);
    }

    [Fact]
    public async Task A_call_a_fault_refuses_still_records_what_IAM_would_have_evaluated_and_a_deletion_records_what_it_deletes()
    {
        await fixture.AvailableClusterAsync("iam-refused");
        fixture.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Fail, Service = "rds", Operation = "ModifyDBCluster", ErrorCode = "AccessDenied", HttpStatus = 403 });

        await Cli.FailureAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "iam-refused", "--new-db-cluster-identifier", "iam-refused-old", "--apply-immediately");
        var refused = fixture.Sandbox.Calls.Find(operation: "ModifyDBCluster").Last();
        // Refused too (the cluster still has its writer), yet recorded with what it would delete.
        await Cli.FailureAsync("rds", "delete-db-cluster", "--db-cluster-identifier", "iam-refused", "--skip-final-snapshot");
        var deletion = fixture.Sandbox.Calls.Find(operation: "DeleteDBCluster").Last();

        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Contains(refused.Resources!, r => r.Arn.EndsWith(":cluster:iam-refused", StringComparison.Ordinal) && r.Use == CallResourceUse.Changed);
        Assert.Contains(deletion.Resources!, r => r.Arn.EndsWith(":cluster:iam-refused", StringComparison.Ordinal) && r.Use == CallResourceUse.Deleted);
    }
}
