using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.SNS;

public sealed record SnsTopic(string Account, string Region, string Name, Dictionary<string, string> Attributes, List<SnsTag> Tags)
{
    public string Arn => $"arn:aws:sns:{Region}:{Account}:{Name}";
}

public sealed record SnsTag(string Key, string Value);

public sealed record SnsMessageAttribute(string DataType, string? StringValue, string? BinaryValue);

/// <summary>A message as it was published; the sandbox API lists them (GET /_sandbox/sns/messages?topicArn=).</summary>
public sealed record SnsMessage(
    string MessageId,
    string TopicArn,
    string PublisherAccount,
    string? Subject,
    string Message,
    IReadOnlyDictionary<string, SnsMessageAttribute> MessageAttributes,
    DateTimeOffset Timestamp);

/// <summary>Topics and every message published to them.</summary>
public sealed class SnsState(SandboxRuntime runtime) : IStatefulComponent, ISandboxControlApi
{
    public List<SnsTopic> Topics { get; private set; } = [];

    public List<SnsMessage> Messages { get; private set; } = [];

    public string StateKey => "sns";

    public IReadOnlyList<SnsMessage> MessagesOf(string? topicArn) =>
        runtime.Read(() => (IReadOnlyList<SnsMessage>)[.. Messages.Where(m => topicArn is null || m.TopicArn == topicArn)]);

    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/_sandbox/sns/messages", (string? topicArn) => Results.Json(MessagesOf(topicArn), SandboxJson.Options));
        routes.MapGet("/_sandbox/sns/topics", () => Results.Json(runtime.Read(() => Topics.Select(t => new { t.Arn, t.Account, t.Region, t.Name, t.Attributes }).ToList()), SandboxJson.Options));
    }

    public JsonNode Save() => new JsonObject
    {
        ["topics"] = JsonSerializer.SerializeToNode(Topics, SandboxJson.Options),
        ["messages"] = JsonSerializer.SerializeToNode(Messages, SandboxJson.Options),
    };

    public void Load(JsonNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Topics = state["topics"]?.Deserialize<List<SnsTopic>>(SandboxJson.Options) ?? [];
        Messages = state["messages"]?.Deserialize<List<SnsMessage>>(SandboxJson.Options) ?? [];
    }
}

/// <summary>
/// Amazon SNS (Query, 2010-03-31): CreateTopic, GetTopicAttributes, SetTopicAttributes, Publish,
/// ListTopics. Publishing keeps the message for the sandbox API instead of delivering it. A topic
/// takes publishes from its own account only (the default topic policy); the sandbox does not
/// evaluate custom topic policies, so another account's publish is refused with AuthorizationError.
/// </summary>
public sealed partial class SnsService : QueryService
{
    private const int MaxMessageBytes = 262144;
    private readonly SnsState _state;

    public SnsService(SandboxRuntime runtime, SnsState state)
        : base(runtime)
    {
        _state = state;
        Register("CreateTopic", mutating: true, CreateTopic);
        Register("GetTopicAttributes", mutating: false, GetTopicAttributes);
        Register("SetTopicAttributes", mutating: true, SetTopicAttributes);
        Register("Publish", mutating: true, Publish);
        Register("ListTopics", mutating: false, ListTopics);
    }

    public override string SigningName => "sns";

    protected override XNamespace Namespace => "http://sns.amazonaws.com/doc/2010-03-31/";

    protected override string ThrottlingCode => "Throttled";

    private IEnumerable<XElement> CreateTopic(AwsRequestContext request, QueryParameters p)
    {
        var name = p.Required("Name");
        var attributes = Map(p, "Attributes");
        var fifo = attributes.TryGetValue("FifoTopic", out var fifoValue) && fifoValue.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (!TopicNamePattern().IsMatch(name) || fifo != name.EndsWith(".fifo", StringComparison.Ordinal))
        {
            throw InvalidParameter("Invalid parameter: Topic Name");
        }

        var existing = _state.Topics.FirstOrDefault(t => t.Account == request.Account && t.Region == request.Region && t.Name == name);
        if (existing is not null)
        {
            // CreateTopic is idempotent for the same attributes, and refuses different ones.
            if (attributes.Any(a => !existing.Attributes.TryGetValue(a.Key, out var value) || value != a.Value))
            {
                throw InvalidParameter("Invalid parameter: Attributes Reason: Topic already exists with different attributes");
            }

            return [new XElement("TopicArn", existing.Arn)];
        }

        var topic = new SnsTopic(request.Account, request.Region, name, attributes, [.. p.Structures("Tags").Select(t => new SnsTag(t.Required("Key"), t.Get("Value") ?? string.Empty))]);
        if (!attributes.ContainsKey("Policy"))
        {
            topic.Attributes["Policy"] = DefaultPolicy(topic);
        }

        topic.Attributes.TryAdd("DisplayName", string.Empty);
        _state.Topics.Add(topic);
        return [new XElement("TopicArn", topic.Arn)];
    }

    private IEnumerable<XElement> GetTopicAttributes(AwsRequestContext request, QueryParameters p)
    {
        var topic = Topic(request, p.Required("TopicArn"), "GetTopicAttributes");
        var attributes = new Dictionary<string, string>(topic.Attributes, StringComparer.Ordinal)
        {
            ["TopicArn"] = topic.Arn,
            ["Owner"] = topic.Account,
            ["SubscriptionsPending"] = "0",
            ["SubscriptionsConfirmed"] = "0",
            ["SubscriptionsDeleted"] = "0",
        };
        attributes.TryAdd(
            "EffectiveDeliveryPolicy",
            """{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":""" +
            """0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}""");
        return [new XElement("Attributes", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new XElement("entry", new XElement("key", a.Key), new XElement("value", a.Value))))];
    }

    private IEnumerable<XElement> SetTopicAttributes(AwsRequestContext request, QueryParameters p)
    {
        var topic = Topic(request, p.Required("TopicArn"), "SetTopicAttributes");
        var name = p.Required("AttributeName");
        if (name is "TopicArn" or "Owner" or "FifoTopic" or "SubscriptionsPending" or "SubscriptionsConfirmed" or "SubscriptionsDeleted")
        {
            throw InvalidParameter($"Invalid parameter: AttributeName");
        }

        topic.Attributes[name] = p.Get("AttributeValue") ?? string.Empty;
        return [];
    }

    private IEnumerable<XElement> Publish(AwsRequestContext request, QueryParameters p)
    {
        var arn = p.Get("TopicArn") ?? p.Get("TargetArn");
        if (arn is null)
        {
            throw InvalidParameter(p.Get("PhoneNumber") is null
                ? "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
                : "Invalid parameter: PhoneNumber Reason: the sandbox does not send SMS");
        }

        var topic = Topic(request, arn, "Publish");
        var message = p.Get("Message") ?? throw InvalidParameter("Invalid parameter: Message Reason: no value for required parameter");
        if (message.Length == 0)
        {
            throw InvalidParameter("Invalid parameter: Empty message");
        }

        if (Encoding.UTF8.GetByteCount(message) > MaxMessageBytes)
        {
            throw InvalidParameter("Invalid parameter: Message too long");
        }

        var subject = p.Get("Subject");
        if (subject is not null && (subject.Length is 0 or > 100 || subject.Any(c => c < 0x20 || c > 0x7e)))
        {
            // Subjects are at most 100 printable ASCII characters without line breaks.
            throw InvalidParameter("Invalid parameter: Subject");
        }

        if (p.Get("MessageStructure") is { } structure)
        {
            message = JsonStructuredMessage(structure, message);
        }

        var fifo = topic.Name.EndsWith(".fifo", StringComparison.Ordinal);
        if (fifo && p.Get("MessageGroupId") is null)
        {
            throw InvalidParameter("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
        }

        var attributes = MessageAttributes(p);
        var published = new SnsMessage(Guid.NewGuid().ToString("D"), topic.Arn, request.Account, subject, message, attributes, Runtime.Clock.Now);
        _state.Messages.Add(published);
        var result = new List<XElement> { new("MessageId", published.MessageId) };
        if (fifo)
        {
            result.Add(new XElement("SequenceNumber", _state.Messages.Count(m => m.TopicArn == topic.Arn).ToString("D20", CultureInfo.InvariantCulture)));
        }

        return result;
    }

    private IEnumerable<XElement> ListTopics(AwsRequestContext request, QueryParameters p)
    {
        const int pageSize = 100;
        var start = 0;
        if (p.Get("NextToken") is { } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw InvalidParameter("Invalid parameter: NextToken");
        }

        var topics = _state.Topics.Where(t => t.Account == request.Account && t.Region == request.Region).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var result = new List<XElement> { new("Topics", topics.Skip(start).Take(pageSize).Select(t => new XElement("member", new XElement("TopicArn", t.Arn)))) };
        if (start + pageSize < topics.Count)
        {
            result.Add(new XElement("NextToken", (start + pageSize).ToString(CultureInfo.InvariantCulture)));
        }

        return result;
    }

    private SnsTopic Topic(AwsRequestContext request, string arn, string action)
    {
        var parts = arn.Split(':');
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sns")
        {
            throw InvalidParameter("Invalid parameter: TopicArn");
        }

        var topic = _state.Topics.FirstOrDefault(t => t.Arn == arn)
            ?? throw new AwsServiceException("NotFound", "Topic does not exist", HttpStatusCode.NotFound);
        if (topic.Account != request.Account)
        {
            throw new AwsServiceException(
                "AuthorizationError",
                $"User: arn:aws:iam::{request.Account}:root is not authorized to perform: SNS:{action} on resource: {arn}",
                HttpStatusCode.Forbidden);
        }

        return topic;
    }

    /// <summary>MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue / .Value.BinaryValue.</summary>
    private static Dictionary<string, SnsMessageAttribute> MessageAttributes(QueryParameters p)
    {
        var result = new Dictionary<string, SnsMessageAttribute>(StringComparer.Ordinal);
        foreach (var entry in p.Structures("MessageAttributes"))
        {
            var name = entry.Get("Name") ?? throw InvalidParameter("Invalid parameter: MessageAttributes Reason: an attribute has no name");
            var dataType = entry.Get("Value.DataType")
                ?? throw InvalidParameter($"Invalid parameter: MessageAttributes Reason: The message attribute '{name}' must contain non-empty message attribute type.");
            var stringValue = entry.Get("Value.StringValue");
            var binaryValue = entry.Get("Value.BinaryValue");
            var baseType = dataType.Split('.')[0];
            if (baseType is not ("String" or "Number" or "Binary"))
            {
                throw InvalidParameter($"Invalid parameter: MessageAttributes Reason: The message attribute '{name}' has an invalid message attribute type, " +
                    "the set of supported type prefixes is Binary, Number, and String.");
            }

            if ((baseType == "Binary" && binaryValue is null) || (baseType != "Binary" && stringValue is null))
            {
                throw InvalidParameter($"Invalid parameter: MessageAttributes Reason: The message attribute '{name}' " +
                    $"must contain non-empty message attribute value for message attribute type '{dataType}'.");
            }

            if (baseType == "Number" && !double.TryParse(stringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw InvalidParameter($"Invalid parameter: MessageAttributes Reason: The message attribute '{name}' with type 'Number' must contain a valid numeric value.");
            }

            result[name] = new SnsMessageAttribute(dataType, stringValue, binaryValue);
        }

        if (result.Count > 10)
        {
            throw InvalidParameter("Invalid parameter: MessageAttributes Reason: a message can have at most 10 message attributes.");
        }

        return result;
    }

    // MessageStructure=json: the message is a JSON object with at least a "default" string.
    private static string JsonStructuredMessage(string structure, string message)
    {
        if (structure != "json")
        {
            throw InvalidParameter("Invalid parameter: MessageStructure");
        }

        try
        {
            return JsonNode.Parse(message) is JsonObject json && json["default"] is JsonValue value
                ? value.GetValue<string>()
                : throw InvalidParameter("Invalid parameter: Message Structure - No default entry in JSON message body");
        }
        catch (JsonException)
        {
            throw InvalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse");
        }
    }

    private static Dictionary<string, string> Map(QueryParameters p, string name) =>
        p.Structures(name).ToDictionary(e => e.Required("key"), e => e.Get("value") ?? string.Empty, StringComparer.Ordinal);

    private static string DefaultPolicy(SnsTopic topic) => new JsonObject
    {
        ["Version"] = "2008-10-17",
        ["Id"] = "__default_policy_ID",
        ["Statement"] = new JsonArray(new JsonObject
        {
            ["Sid"] = "__default_statement_ID",
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = "*" },
            ["Action"] = new JsonArray(
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"),
            ["Resource"] = topic.Arn,
            ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["AWS:SourceOwner"] = topic.Account } },
        }),
    }.ToJsonString();

    private static AwsServiceException InvalidParameter(string message) => new("InvalidParameter", message);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}(\\.fifo)?$")]
    private static partial Regex TopicNamePattern();

    /// <summary>For the call record: the topic a call names.</summary>
    protected override void DescribeForIam(AwsRequestContext request, string action, QueryParameters parameters, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!afterHandler && parameters.Get("TopicArn") is { Length: > 0 } topic)
        {
            request.Authorization.Add(topic, CallResourceUse.Named);
        }
    }
}
