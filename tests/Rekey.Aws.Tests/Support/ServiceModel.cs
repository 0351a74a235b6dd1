using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Aws.Tests.Support;

/// <summary>One botocore service model (service-2.json), read directly from botocore's data folder.</summary>
internal sealed class ServiceModel
{
    private static readonly Lazy<string> DataFolder = new(() =>
    {
        string folder;
        try
        {
            folder = Python.Run("import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException("botocore's service models are required by the contract tests and were not found: " + e.Message, e);
        }

        return Directory.Exists(folder) ? folder : throw new InvalidOperationException($"botocore reports its data folder as {folder}, which does not exist.");
    });

    private static readonly Dictionary<string, ServiceModel> Cache = [];

    private ServiceModel(string path, JsonElement root)
    {
        Path = path;
        Root = root;
        Metadata = root.GetProperty("metadata");
        Shapes = root.GetProperty("shapes");
        Operations = root.GetProperty("operations");
    }

    public string Path { get; }

    public JsonElement Root { get; }

    public JsonElement Metadata { get; }

    public JsonElement Shapes { get; }

    public JsonElement Operations { get; }

    public string ApiVersion => Metadata.GetProperty("apiVersion").GetString()!;

    public static ServiceModel Load(string service)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(service, out var cached))
            {
                return cached;
            }

            var (path, root) = ReadBotocore(service);
            var patch = ModelPatch.Load(service);
            if (patch is not null)
            {
                patch.ApplyTo(root);
            }

            var model = new ServiceModel(path, JsonSerializer.SerializeToElement(root));
            Cache[service] = model;
            return model;
        }
    }

    /// <summary>botocore's model exactly as served, without the generator's patch.</summary>
    public static ServiceModel LoadUnpatched(string service)
    {
        var (path, root) = ReadBotocore(service);
        return new ServiceModel(path, JsonSerializer.SerializeToElement(root));
    }

    private static (string Path, JsonObject Root) ReadBotocore(string service)
    {
        var folder = System.IO.Path.Combine(DataFolder.Value, service);
        var version = Directory.GetDirectories(folder).Order(StringComparer.Ordinal).Last();
        var path = System.IO.Path.Combine(version, "service-2.json.gz");
        using Stream file = File.Exists(path) ? File.OpenRead(path) : File.OpenRead(path = System.IO.Path.Combine(version, "service-2.json"));
        using Stream json = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return (path, JsonNode.Parse(json)!.AsObject());
    }

    public JsonElement Shape(string name) => Shapes.GetProperty(name);

    public JsonElement Operation(string name) => Operations.GetProperty(name);

    public static string TypeOf(JsonElement shape) => shape.GetProperty("type").GetString()!;

    public IEnumerable<(string Name, JsonElement Ref, JsonElement Shape)> Members(JsonElement structure)
    {
        if (!structure.TryGetProperty("members", out var members))
        {
            yield break;
        }

        foreach (var member in members.EnumerateObject())
        {
            yield return (member.Name, member.Value, Shape(member.Value.GetProperty("shape").GetString()!));
        }
    }

    public static string? Str(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Flag(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;
}
