using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Rekey.Aws.Tests.Support;

/// <summary>A value shaped by a model shape: what a test puts into a request or a response.</summary>
internal abstract record Node;

internal sealed record StructNode(Dictionary<string, Node> Members) : Node;

internal sealed record ListNode(List<Node> Items) : Node;

internal sealed record MapNode(List<KeyValuePair<string, Node>> Entries) : Node;

internal sealed record ScalarNode(object Value) : Node;

internal enum Fill
{
    /// <summary>Every member, every list and map with two elements.</summary>
    Full,

    /// <summary>Every member, lists and maps empty.</summary>
    EmptyCollections,

    /// <summary>No optional member at all.</summary>
    RequiredOnly,
}

/// <summary>Builds model-shaped values, turns them into SDK objects and compares SDK objects with them.</summary>
internal sealed class ModelValues(ServiceModel model)
{
    public static readonly DateTime BaseTime = new(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    private int _counter;

    public ServiceModel Model { get; } = model;

    public StructNode Make(string structureShape, Fill fill) => (StructNode)Make(Model.Shape(structureShape), structureShape, fill, 0, uriLabel: false);

    private Node Make(JsonElement shape, string name, Fill fill, int depth, bool uriLabel)
    {
        var n = ++_counter;
        switch (ServiceModel.TypeOf(shape))
        {
            case "structure":
                var members = new Dictionary<string, Node>();
                var required = shape.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToHashSet() : [];
                foreach (var (member, reference, target) in Model.Members(shape))
                {
                    if ((fill == Fill.RequiredOnly && !required.Contains(member)) || depth > 8)
                    {
                        continue;
                    }

                    var label = ServiceModel.Str(reference, "location") == "uri";
                    members[member] = Make(target, member, fill, depth + 1, label);
                }

                return new StructNode(members);
            case "list":
                var items = new List<Node>();
                for (var i = 0; fill == Fill.Full && i < 2; i++)
                {
                    items.Add(Make(Model.Shape(shape.GetProperty("member").GetProperty("shape").GetString()!), name, fill, depth + 1, false));
                }

                return new ListNode(items);
            case "map":
                var entries = new List<KeyValuePair<string, Node>>();
                for (var i = 0; fill == Fill.Full && i < 2; i++)
                {
                    var key = Make(Model.Shape(shape.GetProperty("key").GetProperty("shape").GetString()!), name + "Key", fill, depth + 1, false);
                    var value = Make(Model.Shape(shape.GetProperty("value").GetProperty("shape").GetString()!), name, fill, depth + 1, false);
                    entries.Add(new((string)((ScalarNode)key).Value, value));
                }

                return new MapNode(entries);
            case "string":
                if (shape.TryGetProperty("enum", out var values))
                {
                    var all = values.EnumerateArray().Select(v => v.GetString()!).ToArray();
                    return new ScalarNode(all[n % all.Length]);
                }

                // Label values carry '/' and ':' so path encoding is exercised; others a space and '&'.
                return new ScalarNode(uriLabel ? $"{name}:{n}/x" : $"{name} {n}&v");
            case "integer":
                return new ScalarNode(n);
            case "long":
                return new ScalarNode(10_000_000_000L + n);
            case "double":
            case "float":
                return new ScalarNode(n + 0.5);
            case "boolean":
                return new ScalarNode(n % 2 == 0);
            case "timestamp":
                return new ScalarNode(BaseTime.AddSeconds(n));
            case "blob":
                return new ScalarNode(System.Text.Encoding.UTF8.GetBytes($"blob {n}"));
            default:
                throw new InvalidOperationException($"shape type {ServiceModel.TypeOf(shape)} is not handled");
        }
    }

    /// <summary>The property AWS's member maps to; a missing one fails the test with the member's name.</summary>
    public static PropertyInfo PropertyFor(Type type, string member)
    {
        var name = char.ToUpperInvariant(member[0]) + member[1..];
        return type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            ?? type.GetProperty(name + "Value", BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            ?? throw new Xunit.Sdk.XunitException($"{type.Name} has no property for the model member {member}");
    }

    public static object ToObject(Type type, Node node)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (node)
        {
            case StructNode s:
                var instance = Activator.CreateInstance(type)!;
                foreach (var (member, value) in s.Members)
                {
                    var property = PropertyFor(type, member);
                    property.SetValue(instance, ToObject(property.PropertyType, value));
                }

                return instance;
            case ListNode l:
                var list = (IList)Activator.CreateInstance(type)!;
                foreach (var item in l.Items)
                {
                    list.Add(ToObject(type.GetGenericArguments()[0], item));
                }

                return list;
            case MapNode m:
                var map = (IDictionary)Activator.CreateInstance(type)!;
                foreach (var (key, value) in m.Entries)
                {
                    map.Add(key, ToObject(type.GetGenericArguments()[1], value));
                }

                return map;
            case ScalarNode { Value: byte[] bytes }:
                return new MemoryStream(bytes);
            case ScalarNode scalar:
                return scalar.Value;
            default:
                throw new InvalidOperationException();
        }
    }

    /// <summary>Fails with the member path when <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
    public static void AssertEqual(Node expected, object? actual, string path, JsonElement? shape = null, ServiceModel? model = null)
    {
        switch (expected)
        {
            case StructNode s:
                Assert.True(actual != null, $"{path}: expected a value, got null");
                foreach (var (member, value) in s.Members)
                {
                    AssertEqual(value, PropertyFor(actual!.GetType(), member).GetValue(actual), path + "." + member);
                }

                if (shape is { } structure && model != null)
                {
                    foreach (var (member, _, _) in model.Members(structure).Where(m => !s.Members.ContainsKey(m.Name)))
                    {
                        Assert.True(PropertyFor(actual!.GetType(), member).GetValue(actual) == null, $"{path}.{member}: absent from the answer, so it must stay null");
                    }
                }

                break;
            case ListNode l:
                var list = Assert.IsAssignableFrom<IList>(actual);
                Assert.True(l.Items.Count == list.Count, $"{path}: expected {l.Items.Count} elements, got {list.Count}");
                for (var i = 0; i < l.Items.Count; i++)
                {
                    AssertEqual(l.Items[i], list[i], $"{path}[{i}]");
                }

                break;
            case MapNode m:
                var map = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.True(m.Entries.Count == map.Count, $"{path}: expected {m.Entries.Count} entries, got {map.Count}");
                foreach (var (key, value) in m.Entries)
                {
                    Assert.True(map.Contains(key), $"{path}: key {key} missing");
                    AssertEqual(value, map[key], $"{path}[{key}]");
                }

                break;
            case ScalarNode { Value: DateTime time }:
                var actualTime = Assert.IsType<DateTime>(actual);
                Assert.True(time == actualTime.ToUniversalTime(), $"{path}: expected {time:O}, got {actualTime:O} ({actualTime.Kind})");
                break;
            case ScalarNode { Value: byte[] bytes }:
                Assert.Equal(bytes, Assert.IsType<MemoryStream>(actual).ToArray());
                break;
            case ScalarNode scalar:
                Assert.True(Equals(scalar.Value, actual), $"{path}: expected {scalar.Value}, got {actual ?? "null"}");
                break;
        }
    }

    public static string Iso8601(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static double EpochSeconds(DateTime value) => (value.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds / 1000.0;

    /// <summary>A scalar as the Query protocol and REST query strings write it.</summary>
    public static string QueryText(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        DateTime t => Iso8601(t),
        byte[] bytes => Convert.ToBase64String(bytes),
        _ => throw new InvalidOperationException(value.GetType().Name),
    };
}
