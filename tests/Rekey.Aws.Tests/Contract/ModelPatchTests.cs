using Rekey.Aws.RDS.Model;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Contract;

/// <summary>
/// The generator's RDS patch (TargetResourceConfigurations, transcribed from the RDS API reference)
/// against botocore's model: a model that has the member must agree with it in every documented fact;
/// a model that lacks it must have been patched, so the generated client carries the member.
/// </summary>
public sealed class ModelPatchTests
{
    [Fact]
    public void Every_patched_member_agrees_with_botocore_or_is_generated_where_botocore_lacks_it()
    {
        var patch = ModelPatch.Load("rds") ?? throw new InvalidOperationException("The RDS model patch was not copied next to the tests.");
        var raw = ServiceModel.LoadUnpatched("rds");
        var patched = ServiceModel.Load("rds");
        foreach (var (operation, members) in patch.InputMembers)
        {
            var input = raw.Shape(raw.Operation(operation).GetProperty("input").GetProperty("shape").GetString()!);
            foreach (var (member, reference) in members!.AsObject())
            {
                if (input.GetProperty("members").TryGetProperty(member, out var served))
                {
                    // A newer botocore has the member: its shapes must say what the patch says.
                    AssertSameShape(raw, served.GetProperty("shape").GetString()!, patch, reference!["shape"]!.GetValue<string>(), $"{operation}.{member}");
                }
                else
                {
                    var patchedInput = patched.Shape(patched.Operation(operation).GetProperty("input").GetProperty("shape").GetString()!);
                    Assert.True(patchedInput.GetProperty("members").TryGetProperty(member, out _), $"{operation}.{member} is missing from the patched model.");
                }
            }
        }

        Assert.NotNull(typeof(CreateBlueGreenDeploymentRequest).GetProperty("TargetResourceConfigurations"));
        Assert.NotNull(typeof(TargetResourceConfiguration).GetProperty("SourceArn"));
        Assert.NotNull(typeof(TargetResourceConfiguration).GetProperty("TargetKmsKeyId"));
    }

    [Fact]
    public void Patched_shapes_carry_the_api_reference_constraints()
    {
        var shapes = ModelPatch.Load("rds")!.Shapes;
        var list = shapes["TargetResourceConfigurationList"]!;
        Assert.Equal("TargetResourceConfiguration", list["member"]!["locationName"]!.GetValue<string>());
        var structure = shapes["TargetResourceConfiguration"]!;
        Assert.Equal(["SourceArn"], structure["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        var arn = shapes[structure["members"]!["SourceArn"]!["shape"]!.GetValue<string>()]!;
        Assert.Equal((39, 255), (arn["min"]!.GetValue<int>(), arn["max"]!.GetValue<int>()));
        var pattern = new System.Text.RegularExpressions.Regex("^(?:" + arn["pattern"]!.GetValue<string>() + ")$");
        Assert.Matches(pattern, "arn:aws:rds:eu-west-1:123456789012:cluster:orders");
        Assert.DoesNotMatch(pattern, "arn:aws:rds:eu-west-1:123456789012:snapshot:orders");
        var key = shapes[structure["members"]!["TargetKmsKeyId"]!["shape"]!.GetValue<string>()]!;
        Assert.Equal((1, 2048), (key["min"]!.GetValue<int>(), key["max"]!.GetValue<int>()));
    }

    private static void AssertSameShape(ServiceModel model, string servedName, ModelPatch patch, string patchName, string where)
    {
        var served = model.Shape(servedName);
        var ours = patch.Shapes[patchName]!.AsObject();
        var kind = ServiceModel.TypeOf(served);
        Assert.True(kind == ours["type"]!.GetValue<string>(), $"{where}: botocore says {kind}, the patch says {ours["type"]}.");
        foreach (var fact in new[] { "min", "max", "pattern", "flattened" })
        {
            var theirs = served.TryGetProperty(fact, out var value) ? value.ToString() : null;
            var mine = ours[fact]?.ToString();
            Assert.True(theirs == mine, $"{where}: botocore's {fact} is {theirs ?? "absent"}, the patch's is {mine ?? "absent"}.");
        }

        switch (kind)
        {
            case "list":
                var servedMember = served.GetProperty("member");
                var ourMember = ours["member"]!;
                Assert.True(ServiceModel.Str(servedMember, "locationName") == ourMember["locationName"]?.GetValue<string>(), $"{where}: the list member's locationName differs.");
                AssertSameShape(model, servedMember.GetProperty("shape").GetString()!, patch, ourMember["shape"]!.GetValue<string>(), where + ".member");
                break;
            case "structure":
                var servedRequired = served.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).Order().ToArray() : [];
                var ourRequired = ours["required"]?.AsArray().Select(n => n!.GetValue<string>()).Order().ToArray() ?? [];
                Assert.True(servedRequired.SequenceEqual(ourRequired), $"{where}: botocore requires [{string.Join(", ", servedRequired)}], the patch [{string.Join(", ", ourRequired)}].");
                var servedMembers = served.GetProperty("members").EnumerateObject().Select(p => p.Name).Order().ToArray();
                var ourMembers = ours["members"]!.AsObject().Select(p => p.Key).Order().ToArray();
                Assert.True(servedMembers.SequenceEqual(ourMembers), $"{where}: botocore has members [{string.Join(", ", servedMembers)}], the patch [{string.Join(", ", ourMembers)}].");
                foreach (var name in ourMembers)
                {
                    AssertSameShape(model, served.GetProperty("members").GetProperty(name).GetProperty("shape").GetString()!, patch, ours["members"]![name]!["shape"]!.GetValue<string>(), where + "." + name);
                }

                break;
        }
    }
}
