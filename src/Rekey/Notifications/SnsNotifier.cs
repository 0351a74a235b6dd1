using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rekey.Aws.SNS;
using Rekey.Aws.SNS.Model;

namespace Rekey.Notifications;

/// <summary>
/// Announces steps on an SNS topic: a short Subject, a JSON Message, and MessageAttributes (event,
/// cluster, status) for subscription filter policies. A failure to publish is a warning, never a failed step.
/// </summary>
public sealed class SnsNotifier(IAmazonSimpleNotificationService sns, string topicArn, ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async Task<bool> PublishAsync(StepEvent stepEvent, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal)
        {
            ["event"] = Text($"step.{stepEvent.Status}"),
            ["status"] = Text(stepEvent.Status),
            ["step"] = Text(stepEvent.Step),
        };
        if (stepEvent.Cluster is not null)
        {
            attributes["cluster"] = Text(stepEvent.Cluster);
        }

        try
        {
            await sns.PublishAsync(
                new PublishRequest
                {
                    TopicArn = topicArn,
                    Subject = stepEvent.Subject,
                    Message = JsonSerializer.Serialize(stepEvent, Json),
                    MessageAttributes = attributes,
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            logger.LogWarning("Could not announce {Step} {Status} on {Topic}: {Message}", stepEvent.Step, stepEvent.Status, topicArn, exception.Message);
            return false;
        }
    }

    private static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };
}
