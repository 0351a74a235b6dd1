using System.Net;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.CloudWatch.Model;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.SNS.Model;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Contract;

/// <summary>
/// Requests written out by hand as AWS documents them (the API references' example requests), so a
/// misreading of the protocol rules shared by the generator and the model-driven tests still fails.
/// </summary>
public sealed class WireVectorTests
{
    private static readonly DateTime RestoreTime = new(2026, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    [Fact]
    public async Task Restore_request_numbers_rds_lists_by_their_member_names_and_writes_iso8601_times()
    {
        var form = await QueryFormAsync(async c =>
        {
            using var client = c.CreateRds(RegionEndpoint.EUWest1);
            await client.RestoreDBClusterToPointInTimeAsync(new RestoreDBClusterToPointInTimeRequest
            {
                DBClusterIdentifier = "orders",
                SourceDBClusterIdentifier = "orders-old",
                RestoreToTime = RestoreTime,
                UseLatestRestorableTime = false,
                KmsKeyId = "arn:aws:kms:eu-west-1:111111111111:key/1234",
                VpcSecurityGroupIds = ["sg-1", "sg-2"],
                EnableCloudwatchLogsExports = ["postgresql"],
                Tags = [new Rekey.Aws.RDS.Model.Tag { Key = "rekey:role", Value = "target" }],
                ServerlessV2ScalingConfiguration = new ServerlessV2ScalingConfiguration { MinCapacity = 0.5, MaxCapacity = 8 },
            });
        });

        Assert.Equal(new Dictionary<string, string>
        {
            ["Action"] = "RestoreDBClusterToPointInTime",
            ["Version"] = "2014-10-31",
            ["DBClusterIdentifier"] = "orders",
            ["SourceDBClusterIdentifier"] = "orders-old",
            ["RestoreToTime"] = "2026-05-06T07:08:09.000Z",
            ["UseLatestRestorableTime"] = "false",
            ["KmsKeyId"] = "arn:aws:kms:eu-west-1:111111111111:key/1234",
            ["VpcSecurityGroupIds.VpcSecurityGroupId.1"] = "sg-1",
            ["VpcSecurityGroupIds.VpcSecurityGroupId.2"] = "sg-2",
            ["EnableCloudwatchLogsExports.member.1"] = "postgresql",
            ["Tags.Tag.1.Key"] = "rekey:role",
            ["Tags.Tag.1.Value"] = "target",
            ["ServerlessV2ScalingConfiguration.MinCapacity"] = "0.5",
            ["ServerlessV2ScalingConfiguration.MaxCapacity"] = "8",
        }, form);
    }

    [Fact]
    public async Task Describe_filters_use_Filter_and_Value_member_names()
    {
        var form = await QueryFormAsync(async c =>
        {
            using var client = c.CreateRds(RegionEndpoint.EUWest1);
            await client.DescribeDBInstancesAsync(new DescribeDBInstancesRequest
            {
                Filters = [new Filter { Name = "db-cluster-id", Values = ["orders", "orders-old"] }],
                MaxRecords = 100,
                Marker = "page-2",
            });
        });

        Assert.Equal("db-cluster-id", form["Filters.Filter.1.Name"]);
        Assert.Equal("orders", form["Filters.Filter.1.Values.Value.1"]);
        Assert.Equal("orders-old", form["Filters.Filter.1.Values.Value.2"]);
        Assert.Equal("100", form["MaxRecords"]);
        Assert.Equal("page-2", form["Marker"]);
    }

    [Fact]
    public async Task Empty_list_is_sent_as_an_empty_parameter()
    {
        var form = await QueryFormAsync(async c =>
        {
            using var client = c.CreateRds(RegionEndpoint.EUWest1);
            await client.ModifyDBClusterAsync(new ModifyDBClusterRequest
            {
                DBClusterIdentifier = "orders",
                VpcSecurityGroupIds = [],
            });
        });

        Assert.Equal(string.Empty, form["VpcSecurityGroupIds"]);
        Assert.DoesNotContain(form.Keys, k => k.StartsWith("VpcSecurityGroupIds.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sns_message_attributes_are_a_map_of_entry_Name_and_Value()
    {
        var form = await QueryFormAsync(async c =>
        {
            using var client = c.CreateSns(RegionEndpoint.EUWest1);
            await client.PublishAsync(new PublishRequest
            {
                TopicArn = "arn:aws:sns:eu-west-1:111111111111:rekey",
                Subject = "Rekey",
                Message = "done",
                MessageAttributes = new Dictionary<string, MessageAttributeValue> { ["cluster"] = new() { DataType = "String", StringValue = "orders" } },
            });
        });

        Assert.Equal("Publish", form["Action"]);
        Assert.Equal("2010-03-31", form["Version"]);
        Assert.Equal("cluster", form["MessageAttributes.entry.1.Name"]);
        Assert.Equal("String", form["MessageAttributes.entry.1.Value.DataType"]);
        Assert.Equal("orders", form["MessageAttributes.entry.1.Value.StringValue"]);
    }

    [Fact]
    public async Task CloudWatch_lists_use_member_numbering_under_the_query_protocol()
    {
        var form = await QueryFormAsync(async c =>
        {
            using var client = c.CreateCloudWatch(RegionEndpoint.EUWest1);
            await client.GetMetricDataAsync(new GetMetricDataRequest
            {
                StartTime = RestoreTime,
                EndTime = RestoreTime.AddHours(1),
                MetricDataQueries =
            [
                new MetricDataQuery
                {
                    Id = "writes",
                    MetricStat = new MetricStat
                    {
                        Stat = "Sum",
                        Period = 60,
                        Metric = new Rekey.Aws.CloudWatch.Model.Metric { Namespace = "AWS/RDS", MetricName = "WriteIOPS", Dimensions = [new Dimension { Name = "DBClusterIdentifier", Value = "orders-old" }] },
                    },
                },
            ],
            });
        });

        Assert.Equal("GetMetricData", form["Action"]);
        Assert.Equal("2010-08-01", form["Version"]);
        Assert.Equal("writes", form["MetricDataQueries.member.1.Id"]);
        Assert.Equal("AWS/RDS", form["MetricDataQueries.member.1.MetricStat.Metric.Namespace"]);
        Assert.Equal("DBClusterIdentifier", form["MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name"]);
        Assert.Equal("orders-old", form["MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value"]);
        Assert.Equal("2026-05-06T07:08:09.000Z", form["StartTime"]);
    }

    [Fact]
    public async Task Backup_plan_is_a_put_with_a_json_body_in_the_models_member_names()
    {
        var request = await RecordAsync("{}", async c =>
        {
            using var client = c.CreateBackup(RegionEndpoint.EUWest1);
            await client.CreateBackupPlanAsync(new CreateBackupPlanRequest
            {
                CreatorRequestId = "run-42",
                BackupPlan = new BackupPlanInput
                {
                    BackupPlanName = "rekey-orders",
                    Rules =
                [
                    new BackupRuleInput
                    {
                        RuleName = "daily",
                        TargetBackupVaultName = "rekey",
                        StartWindowMinutes = 60,
                        EnableContinuousBackup = true,
                        CopyActions = [new CopyAction { DestinationBackupVaultArn = "arn:aws:backup:eu-west-1:222222222222:backup-vault:copies", Lifecycle = new Lifecycle { DeleteAfterDays = 35 } }],
                    },
                ],
                },
                BackupPlanTags = new Dictionary<string, string> { ["rekey:cluster"] = "orders" },
            });
        });

        Assert.Equal("PUT", request.Method);
        Assert.Equal("/backup/plans/", request.Uri.AbsolutePath);
        using var expected = JsonDocument.Parse("""
            {"BackupPlan":{"BackupPlanName":"rekey-orders","Rules":[{"RuleName":"daily","TargetBackupVaultName":"rekey","StartWindowMinutes":60,
             "EnableContinuousBackup":true,"CopyActions":[{"Lifecycle":{"DeleteAfterDays":35},"DestinationBackupVaultArn":"arn:aws:backup:eu-west-1:222222222222:backup-vault:copies"}]}]},
             "BackupPlanTags":{"rekey:cluster":"orders"},"CreatorRequestId":"run-42"}
            """);
        using var actual = JsonDocument.Parse(request.Body);
        WireFormats.AssertJsonEqual(expected.RootElement, actual.RootElement, "body");
    }

    [Fact]
    public async Task Backup_list_filters_go_to_the_query_string_under_their_location_names_and_labels_are_encoded()
    {
        var request = await RecordAsync("{}", async c =>
        {
            using var client = c.CreateBackup(RegionEndpoint.EUWest1);
            await client.ListRecoveryPointsByBackupVaultAsync(new ListRecoveryPointsByBackupVaultRequest
            {
                BackupVaultName = "rekey/copies",
                ByResourceArn = "arn:aws:rds:eu-west-1:111111111111:cluster:orders",
                ByCreatedAfter = RestoreTime,
                MaxResults = 50,
                NextToken = "next",
            });
        });

        Assert.Equal("GET", request.Method);
        Assert.Equal("/backup-vaults/rekey%2Fcopies/recovery-points/", request.Uri.AbsolutePath);
        var query = ModelContractTests.ParseForm(request.Uri.Query.TrimStart('?'));
        Assert.Equal("arn:aws:rds:eu-west-1:111111111111:cluster:orders", query["resourceArn"].Single());
        Assert.Equal("2026-05-06T07:08:09.000Z", query["createdAfter"].Single());
        Assert.Equal("50", query["maxResults"].Single());
        Assert.Equal("next", query["nextToken"].Single());
        Assert.Equal(string.Empty, request.Body);
    }

    [Fact]
    public async Task Backup_timestamps_in_answers_are_epoch_seconds()
    {
        var answer = """{"CopyJob":{"CopyJobId":"c-1","State":"COMPLETED","CreationDate":1778051289.5,"CompletionDate":1778051349}}""";
        AwsResponseHolder holder = new();
        await RecordAsync(answer, async c =>
        {
            using var client = c.CreateBackup(RegionEndpoint.EUWest1);
            holder.Response = await client.DescribeCopyJobAsync(new DescribeCopyJobRequest { CopyJobId = "c-1" });
        });

        var job = ((DescribeCopyJobResponse)holder.Response!).CopyJob!;
        Assert.Equal(CopyJobState.Completed, job.State);
        Assert.Equal(new DateTime(2026, 5, 6, 7, 8, 9, 500, DateTimeKind.Utc), job.CreationDate!.Value.ToUniversalTime());
        Assert.Equal(new DateTime(2026, 5, 6, 7, 9, 9, DateTimeKind.Utc), job.CompletionDate!.Value.ToUniversalTime());
    }

    [Fact]
    public async Task Organizations_call_is_a_post_to_root_naming_the_operation_in_X_Amz_Target_with_an_empty_json_object()
    {
        var answer = """
            {"Organization":{"Id":"o-a1b2c3d4e5","Arn":"arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5","FeatureSet":"ALL",
             "MasterAccountArn":"arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/111111111111","MasterAccountId":"111111111111",
             "MasterAccountEmail":"bill@example.com","AvailablePolicyTypes":[{"Type":"SERVICE_CONTROL_POLICY","Status":"ENABLED"}]}}
            """;
        AwsResponseHolder holder = new();
        var request = await RecordAsync(answer, async c =>
        {
            using var client = c.CreateOrganizations(RegionEndpoint.EUWest1);
            holder.Response = await client.DescribeOrganizationAsync(new Rekey.Aws.Organizations.Model.DescribeOrganizationRequest());
        });

        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Uri.AbsolutePath);
        Assert.Equal("AWSOrganizationsV20161128.DescribeOrganization", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("{}", request.Body);
        Assert.Contains("/us-east-1/organizations/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        var organization = ((Rekey.Aws.Organizations.Model.DescribeOrganizationResponse)holder.Response!).Organization!;
        Assert.Equal("o-a1b2c3d4e5", organization.Id);
        Assert.Equal("111111111111", organization.MasterAccountId);
        Assert.Equal(Rekey.Aws.Organizations.Model.OrganizationFeatureSet.All, organization.FeatureSet);
        var policyType = Assert.Single(organization.AvailablePolicyTypes!);
        Assert.Equal(Rekey.Aws.Organizations.Model.PolicyType.ServiceControlPolicy, policyType.Type);
        Assert.Equal(Rekey.Aws.Organizations.Model.PolicyTypeStatus.Enabled, policyType.Status);
    }

    [Fact]
    public async Task Application_Auto_Scaling_PutScalingPolicy_is_json_1_1_for_AnyScaleFrontendService_with_the_nested_target_tracking_configuration()
    {
        var answer = """
            {"PolicyARN":"arn:aws:autoscaling:eu-west-1:111111111111:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:resource/rds/cluster:orders:policyName/cpu40",
             "Alarms":[{"AlarmName":"TargetTracking-cluster:orders-AlarmHigh-1","AlarmARN":"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:TargetTracking-cluster:orders-AlarmHigh-1"}]}
            """;
        AwsResponseHolder holder = new();
        var request = await RecordAsync(answer, async c =>
        {
            using var client = c.CreateApplicationAutoScaling(RegionEndpoint.EUWest1);
            holder.Response = await client.PutScalingPolicyAsync(new Rekey.Aws.ApplicationAutoScaling.Model.PutScalingPolicyRequest
            {
                PolicyName = "cpu40",
                ServiceNamespace = "rds",
                ResourceId = "cluster:orders",
                ScalableDimension = "rds:cluster:ReadReplicaCount",
                PolicyType = "TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration = new()
                {
                    TargetValue = 40.5,
                    PredefinedMetricSpecification = new() { PredefinedMetricType = "RDSReaderAverageCPUUtilization" },
                    ScaleInCooldown = 300,
                },
            });
        });

        Assert.Equal("POST", request.Method);
        Assert.Equal("AnyScaleFrontendService.PutScalingPolicy", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Contains("/eu-west-1/application-autoscaling/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        var body = System.Text.Json.Nodes.JsonNode.Parse(request.Body)!;
        Assert.Equal("cluster:orders", body["ResourceId"]!.GetValue<string>());
        Assert.Equal(40.5, body["TargetTrackingScalingPolicyConfiguration"]!["TargetValue"]!.GetValue<double>());
        Assert.Equal("RDSReaderAverageCPUUtilization", body["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]!.GetValue<string>());
        var response = (Rekey.Aws.ApplicationAutoScaling.Model.PutScalingPolicyResponse)holder.Response!;
        Assert.EndsWith("policyName/cpu40", response.PolicyARN, StringComparison.Ordinal);
        Assert.Equal("TargetTracking-cluster:orders-AlarmHigh-1", Assert.Single(response.Alarms!).AlarmName);
    }

    [Fact]
    public async Task Iam_GetRole_is_a_query_form_of_the_2010_05_08_api_signed_for_us_east_1()
    {
        // The answer is the example of AWS's IAM API reference (GetRole).
        var answer = """
            <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <GetRoleResult>
                <Role>
                  <Path>/application_abc/component_xyz/</Path>
                  <Arn>arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access</Arn>
                  <RoleName>S3Access</RoleName>
                  <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument>
                  <CreateDate>2012-05-08T23:34:01Z</CreateDate>
                  <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
                  <RoleLastUsed><LastUsedDate>2019-11-20T17:09:20Z</LastUsedDate><Region>us-east-1</Region></RoleLastUsed>
                  <MaxSessionDuration>3600</MaxSessionDuration>
                  <Tags><member><Key>rekey:purpose</Key><Value>backup</Value></member></Tags>
                </Role>
              </GetRoleResult>
              <ResponseMetadata><RequestId>df37e965-9967-11e1-a4c3-270EXAMPLE04</RequestId></ResponseMetadata>
            </GetRoleResponse>
            """;
        AwsResponseHolder holder = new();
        var request = await RecordAsync(answer, async c =>
        {
            using var client = c.CreateIam(RegionEndpoint.APSoutheast2);
            holder.Response = await client.GetRoleAsync(new Rekey.Aws.IdentityManagement.Model.GetRoleRequest { RoleName = "S3Access" });
        });

        Assert.Equal(
            new Dictionary<string, string> { ["Action"] = "GetRole", ["Version"] = "2010-05-08", ["RoleName"] = "S3Access" },
            ModelContractTests.ParseForm(request.Body).ToDictionary(p => p.Key, p => Assert.Single(p.Value)));
        Assert.Contains("/us-east-1/iam/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        var response = (Rekey.Aws.IdentityManagement.Model.GetRoleResponse)holder.Response!;
        var role = response.Role!;
        Assert.Equal("arn:aws:iam::123456789012:role/application_abc/component_xyz/S3Access", role.Arn);
        Assert.Equal("%7B%22Version%22%3A%222012-10-17%22%7D", role.AssumeRolePolicyDocument);
        Assert.Equal(new DateTime(2012, 5, 8, 23, 34, 1, DateTimeKind.Utc), role.CreateDate!.Value.ToUniversalTime());
        Assert.Equal(3600, role.MaxSessionDuration);
        Assert.Equal("us-east-1", role.RoleLastUsed!.Region);
        var tag = Assert.Single(role.Tags!);
        Assert.Equal(("rekey:purpose", "backup"), (tag.Key, tag.Value));
        Assert.Equal("df37e965-9967-11e1-a4c3-270EXAMPLE04", response.RequestId);
    }

    [Fact]
    public async Task Rds_integrations_are_filtered_with_Filter_and_Value_member_names()
    {
        var form = await QueryFormAsync(async c =>
        {
            using var client = c.CreateRds(RegionEndpoint.EUWest1);
            await client.DescribeIntegrationsAsync(new DescribeIntegrationsRequest
            {
                Filters = [new Filter { Name = "source-arn", Values = ["arn:aws:rds:eu-west-1:111111111111:cluster:orders"] }],
                MaxRecords = 20,
            });
        });

        Assert.Equal(new Dictionary<string, string>
        {
            ["Action"] = "DescribeIntegrations",
            ["Version"] = "2014-10-31",
            ["Filters.Filter.1.Name"] = "source-arn",
            ["Filters.Filter.1.Values.Value.1"] = "arn:aws:rds:eu-west-1:111111111111:cluster:orders",
            ["MaxRecords"] = "20",
        }, form);
    }

    private sealed class AwsResponseHolder
    {
        public AmazonWebServiceResponse? Response { get; set; }
    }

    private static async Task<Dictionary<string, string>> QueryFormAsync(Func<AwsClientFactory, Task> call)
    {
        var request = await RecordAsync("<Response/>", call);
        Assert.Equal("POST", request.Method);
        return ModelContractTests.ParseForm(request.Body).ToDictionary(p => p.Key, p => Assert.Single(p.Value));
    }

    private static async Task<RecordedRequest> RecordAsync(string answer, Func<AwsClientFactory, Task> call)
    {
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.OK, answer, answer.TrimStart().StartsWith('<') ? "text/xml" : "application/json", DateTimeOffset.UtcNow));
        var factory = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Credentials = new BasicAWSCredentials("AKIDVECTOR", "secret"),
            HttpClientFactory = http,
        });
        await call(factory);
        return Assert.Single(http.Requests);
    }
}
