using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.SNS;

/// <summary>SNS through the AWS CLI, and published messages read back through the sandbox API.</summary>
public sealed class SnsTests(CliSessionFixture fixture) : IClassFixture<CliSessionFixture>
{
    private static readonly HttpClient Http = new();

    private SessionCli Cli => fixture.Aws;

    private async Task<JsonArray> MessagesAsync(string topicArn) =>
        (await Http.GetFromJsonAsync<JsonArray>(new Uri(fixture.Sandbox.BaseUrl, $"_sandbox/sns/messages?topicArn={Uri.EscapeDataString(topicArn)}")))!;

    [Fact]
    public async Task CreateTopic_is_idempotent_for_a_name_and_the_topic_has_AWS_attributes_and_lists()
    {
        var created = await Cli.JsonAsync("sns", "create-topic", "--name", "rekey-notifications", "--attributes", "DisplayName=Rekey");
        var again = await Cli.JsonAsync("sns", "create-topic", "--name", "rekey-notifications", "--attributes", "DisplayName=Rekey");
        var different = await Cli.FailureAsync("sns", "create-topic", "--name", "rekey-notifications", "--attributes", "DisplayName=Other");
        var attributes = await Cli.JsonAsync("sns", "get-topic-attributes", "--topic-arn", created["TopicArn"].Text());
        var topics = await Cli.JsonAsync("sns", "list-topics");

        Assert.Equal("arn:aws:sns:us-east-1:111111111111:rekey-notifications", created["TopicArn"].Text());
        Assert.Equal(created["TopicArn"].Text(), again["TopicArn"].Text());
        Assert.Equal("InvalidParameter", different.ErrorCode);
        Assert.Equal("Rekey", attributes["Attributes"]!["DisplayName"].Text());
        Assert.Equal("111111111111", attributes["Attributes"]!["Owner"].Text());
        Assert.Equal(created["TopicArn"].Text(), attributes["Attributes"]!["TopicArn"].Text());
        Assert.Contains("SNS:Publish", attributes["Attributes"]!["Policy"].Text(), StringComparison.Ordinal);
        Assert.Contains(topics["Topics"]!.AsArray(), t => t!["TopicArn"].Text() == created["TopicArn"].Text());
    }

    [Fact]
    public async Task Published_messages_keep_subject_message_and_attributes_and_are_readable_through_the_sandbox_API()
    {
        var topicArn = (await Cli.JsonAsync("sns", "create-topic", "--name", "rekey-published"))["TopicArn"].Text();
        var otherTopic = (await Cli.JsonAsync("sns", "create-topic", "--name", "rekey-other"))["TopicArn"].Text();

        var published = await Cli.JsonAsync(
            "sns", "publish", "--topic-arn", topicArn, "--subject", "Rekey cutover of orders succeeded", "--message", "{\"cluster\":\"orders\"}",
            "--message-attributes", """{"cluster":{"DataType":"String","StringValue":"orders"},"attempt":{"DataType":"Number","StringValue":"2"}}""");
        await Cli.JsonAsync("sns", "publish", "--topic-arn", otherTopic, "--message", "elsewhere");
        var messages = await MessagesAsync(topicArn);

        var message = Assert.Single(messages)!;
        Assert.Equal(published["MessageId"].Text(), message["messageId"].Text());
        Assert.Equal("Rekey cutover of orders succeeded", message["subject"].Text());
        Assert.Equal("{\"cluster\":\"orders\"}", message["message"].Text());
        Assert.Equal("orders", message["messageAttributes"]!["cluster"]!["stringValue"].Text());
        Assert.Equal("Number", message["messageAttributes"]!["attempt"]!["dataType"].Text());
        Assert.Equal(fixture.Sandbox.Clock.Now.ToUnixTimeSeconds(), DateTimeOffset.Parse(message["timestamp"].Text(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), 60.0);
    }

    [Fact]
    public async Task Publish_refuses_a_missing_topic_a_bad_subject_an_untyped_attribute_and_another_account()
    {
        var topicArn = (await Cli.JsonAsync("sns", "create-topic", "--name", "rekey-refusals"))["TopicArn"].Text();

        var missing = await Cli.FailureAsync("sns", "publish", "--topic-arn", "arn:aws:sns:us-east-1:111111111111:no-such-topic", "--message", "m");
        var subject = await Cli.FailureAsync("sns", "publish", "--topic-arn", topicArn, "--subject", "line\nbreak", "--message", "m");
        var attribute = await Cli.FailureAsync("sns", "publish", "--topic-arn", topicArn, "--message", "m", "--message-attributes", """{"n":{"DataType":"Number","StringValue":"many"}}""");
        var otherAccount = await Cli.As("222222222222").FailureAsync("sns", "publish", "--topic-arn", topicArn, "--message", "m");

        Assert.Equal("NotFound", missing.ErrorCode);
        Assert.Equal("InvalidParameter", subject.ErrorCode);
        Assert.Equal("InvalidParameter", attribute.ErrorCode);
        Assert.Equal("AuthorizationError", otherAccount.ErrorCode);
        Assert.Empty(await MessagesAsync(topicArn));
    }

    [Fact]
    public async Task SetTopicAttributes_changes_a_settable_attribute_and_refuses_a_read_only_one()
    {
        var topicArn = (await Cli.JsonAsync("sns", "create-topic", "--name", "rekey-settable"))["TopicArn"].Text();

        await Cli.JsonAsync("sns", "set-topic-attributes", "--topic-arn", topicArn, "--attribute-name", "DisplayName", "--attribute-value", "Rekey runs");
        var attributes = await Cli.JsonAsync("sns", "get-topic-attributes", "--topic-arn", topicArn);
        var readOnly = await Cli.FailureAsync("sns", "set-topic-attributes", "--topic-arn", topicArn, "--attribute-name", "Owner", "--attribute-value", "222222222222");

        Assert.Equal("Rekey runs", attributes["Attributes"]!["DisplayName"].Text());
        Assert.Equal("InvalidParameter", readOnly.ErrorCode);
    }
}
