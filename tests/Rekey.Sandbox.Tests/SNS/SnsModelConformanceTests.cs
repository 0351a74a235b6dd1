using System.Xml.Linq;
using Rekey.Sandbox.SNS;

namespace Rekey.Sandbox.Tests.SNS;

public sealed class SnsModelConformanceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly BotocoreModel Model = BotocoreModel.Load("sns", "2010-03-31");

    [Fact]
    public void Every_SNS_operation_the_sandbox_serves_is_an_operation_of_the_AWS_model()
    {
        Assert.Empty(fixture.Sandbox.Get<SnsService>().Operations.Except(Model.Operations));
    }

    [Fact]
    public async Task Every_SNS_response_has_only_the_elements_of_the_AWS_model()
    {
        var raw = new RawAws(fixture.Sandbox.BaseUrl);
        var errors = new List<string>();
        async Task Call(string action, params (string Name, string Value)[] parameters) =>
            errors.AddRange(Model.Check(action, await raw.QueryAsync("sns", "2010-03-31", action, parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)))));
        const string topicArn = "arn:aws:sns:us-east-1:111111111111:conformance";

        await Call("CreateTopic", ("Name", "conformance"), ("Attributes.entry.1.key", "DisplayName"), ("Attributes.entry.1.value", "C"), ("Tags.member.1.Key", "a"), ("Tags.member.1.Value", "b"));

        // BotocoreModel checks structures and lists; the attribute map's entry/key/value layout is checked here.
        var attributes = await raw.QueryAsync("sns", "2010-03-31", "GetTopicAttributes", [new("TopicArn", topicArn)]);
        await Call("SetTopicAttributes", ("TopicArn", topicArn), ("AttributeName", "DisplayName"), ("AttributeValue", "D"));
        await Call("Publish", ("TopicArn", topicArn), ("Subject", "s"), ("Message", "m"), ("MessageAttributes.entry.1.Name", "n"), ("MessageAttributes.entry.1.Value.DataType", "String"), ("MessageAttributes.entry.1.Value.StringValue", "v"));
        await Call("ListTopics");

        Assert.Empty(errors);
        XNamespace ns = "http://sns.amazonaws.com/doc/2010-03-31/";
        var entries = attributes.Element(ns + "GetTopicAttributesResult")!.Element(ns + "Attributes")!.Elements().ToList();
        Assert.All(entries, e => Assert.Equal(["key", "value"], e.Elements().Select(c => c.Name.LocalName)));
        Assert.All(entries, e => Assert.Equal("entry", e.Name.LocalName));
        Assert.Contains(entries, e => e.Element(ns + "key")!.Value == "DisplayName" && e.Element(ns + "value")!.Value == "C");
        Assert.Equal("v", fixture.Sandbox.Get<SnsState>().MessagesOf(topicArn).Single().MessageAttributes["n"].StringValue);
    }
}
