using System.Text;
using Rekey.Aws.CloudWatch.Model;
using Rekey.Aws.SNS;
using Rekey.Aws.SNS.Model;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Wire;

/// <summary>SNS and CloudWatch operations against moto_server (moto serves all of them).</summary>
[Collection(MotoCollection.Name)]
public sealed class MessagingAndMetricsWireTests(MotoServer moto)
{
    private readonly AwsClientFactory _factory = moto.Factory();

    [Fact]
    public async Task Notification_with_subject_and_message_attributes_is_published_and_topic_attributes_read()
    {
        using var sns = _factory.CreateSns(MotoServer.Region);
        var topic = await sns.CreateTopicAsync(new CreateTopicRequest { Name = RdsWireTests.NewId("topic") });
        Assert.StartsWith("arn:aws:sns:us-east-1:", topic.TopicArn, StringComparison.Ordinal);

        var published = await sns.PublishAsync(new PublishRequest
        {
            TopicArn = topic.TopicArn,
            Subject = "Rekey cutover finished",
            Message = "orders: restored onto the customer managed key",
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["cluster"] = new() { DataType = "String", StringValue = "orders" },
                ["step"] = new() { DataType = "Number", StringValue = "7" },
                ["digest"] = new() { DataType = "Binary", BinaryValue = new MemoryStream(Encoding.UTF8.GetBytes("abc")) },
            },
        });
        Assert.False(string.IsNullOrEmpty(published.MessageId));
        RdsWireTests.AssertAwsClock(published);

        var attributes = await sns.GetTopicAttributesAsync(new GetTopicAttributesRequest { TopicArn = topic.TopicArn });
        Assert.Equal(topic.TopicArn, attributes.Attributes!["TopicArn"]);
    }

    [Fact]
    public async Task Publishing_to_a_missing_topic_fails_with_NotFoundException()
    {
        using var sns = _factory.CreateSns(MotoServer.Region);
        var error = await Assert.ThrowsAsync<NotFoundException>(() => sns.PublishAsync(new PublishRequest
        {
            TopicArn = "arn:aws:sns:us-east-1:123456789012:" + RdsWireTests.NewId("absent"),
            Message = "m",
        }));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task Metric_data_query_for_a_cluster_metric_returns_a_result_per_query_id()
    {
        using var cloudWatch = _factory.CreateCloudWatch(MotoServer.Region);
        var end = DateTime.UtcNow;
        var response = await cloudWatch.GetMetricDataAsync(new GetMetricDataRequest
        {
            StartTime = end.AddMinutes(-30),
            EndTime = end,
            MetricDataQueries =
            [
                new MetricDataQuery
                {
                    Id = "writes",
                    ReturnData = true,
                    MetricStat = new MetricStat
                    {
                        Period = 60,
                        Stat = "Sum",
                        Metric = new Metric
                        {
                            Namespace = "AWS/RDS",
                            MetricName = "DatabaseConnections",
                            Dimensions = [new Dimension { Name = "DBClusterIdentifier", Value = "orders-old" }],
                        },
                    },
                },
            ],
        });
        var result = Assert.Single(response.MetricDataResults!);
        Assert.Equal("writes", result.Id);
        Assert.NotNull(result.Values);
        RdsWireTests.AssertAwsClock(response);
    }
}
