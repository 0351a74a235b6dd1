using System.Text.Json.Nodes;

namespace Rekey.Aws.Tests.Support;

/// <summary>
/// The generator's patch of a botocore model (src/Rekey.Aws/Generator/patches/&lt;service&gt;.json), applied
/// as generate.py applies it: a member is added only where the model's input shape lacks it.
/// </summary>
internal sealed class ModelPatch
{
    private ModelPatch(JsonObject root) => Root = root;

    public JsonObject Root { get; }

    public JsonObject InputMembers => Root["inputMembers"]!.AsObject();

    public JsonObject Shapes => Root["shapes"]!.AsObject();

    public static ModelPatch? Load(string service)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "ModelPatches", service + ".json");
        return File.Exists(path) ? new ModelPatch(JsonNode.Parse(File.ReadAllText(path))!.AsObject()) : null;
    }

    public void ApplyTo(JsonObject model)
    {
        var shapes = model["shapes"]!.AsObject();
        foreach (var (operation, members) in InputMembers)
        {
            var inputName = model["operations"]![operation]!["input"]!["shape"]!.GetValue<string>();
            var input = shapes[inputName]!.AsObject();
            var inputMembers = input["members"]!.AsObject();
            foreach (var (member, reference) in members!.AsObject())
            {
                if (inputMembers.ContainsKey(member))
                {
                    continue;
                }

                inputMembers[member] = reference!.DeepClone();
                foreach (var (name, shape) in Shapes)
                {
                    if (!shapes.ContainsKey(name))
                    {
                        shapes[name] = shape!.DeepClone();
                    }
                }
            }
        }
    }
}
