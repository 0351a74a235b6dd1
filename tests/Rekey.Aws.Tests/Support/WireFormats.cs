using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Aws.Tests.Support;

/// <summary>
/// The wire forms botocore's serializers and AWS's servers use, written from the protocol rules
/// (botocore serialize.py / parsers.py), independently of the generator under test.
/// </summary>
internal sealed class WireFormats(ServiceModel model)
{
    // ---------- AWS Query requests ----------

    /// <summary>The form parameters of a Query request: locationName, ".member.N" or the member's own name, flattened lists, ".entry.N.key/value" maps.</summary>
    public Dictionary<string, object> QueryParameters(JsonElement structure, StructNode value)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        WriteStructure(result, structure, value, string.Empty);
        return result;
    }

    private void WriteStructure(Dictionary<string, object> result, JsonElement shape, StructNode value, string prefix)
    {
        foreach (var (member, reference, target) in model.Members(shape))
        {
            if (value.Members.TryGetValue(member, out var node))
            {
                var name = ServiceModel.Str(reference, "locationName") ?? member;
                Write(result, target, node, prefix.Length == 0 ? name : prefix + "." + name);
            }
        }
    }

    private void Write(Dictionary<string, object> result, JsonElement shape, Node node, string prefix)
    {
        switch (node)
        {
            case StructNode s:
                WriteStructure(result, shape, s, prefix);
                break;
            case ListNode l:
                if (l.Items.Count == 0)
                {
                    result[prefix] = string.Empty;
                    break;
                }

                var memberRef = shape.GetProperty("member");
                var memberShape = model.Shape(memberRef.GetProperty("shape").GetString()!);
                string listPrefix;
                if (ServiceModel.Flag(shape, "flattened"))
                {
                    var own = ServiceModel.Str(memberRef, "locationName");
                    listPrefix = own == null ? prefix : string.Join('.', prefix.Split('.')[..^1].Append(own));
                }
                else
                {
                    listPrefix = prefix + "." + (ServiceModel.Str(memberRef, "locationName") ?? "member");
                }

                for (var i = 0; i < l.Items.Count; i++)
                {
                    Write(result, memberShape, l.Items[i], $"{listPrefix}.{i + 1}");
                }

                break;
            case MapNode m:
                var keyName = ServiceModel.Str(shape.GetProperty("key"), "locationName") ?? "key";
                var valueName = ServiceModel.Str(shape.GetProperty("value"), "locationName") ?? "value";
                var valueShape = model.Shape(shape.GetProperty("value").GetProperty("shape").GetString()!);
                var entryPrefix = ServiceModel.Flag(shape, "flattened") ? prefix : prefix + ".entry";
                for (var i = 0; i < m.Entries.Count; i++)
                {
                    result[$"{entryPrefix}.{i + 1}.{keyName}"] = m.Entries[i].Key;
                    Write(result, valueShape, m.Entries[i].Value, $"{entryPrefix}.{i + 1}.{valueName}");
                }

                break;
            case ScalarNode scalar:
                result[prefix] = scalar.Value;
                break;
        }
    }

    // ---------- AWS Query (XML) responses ----------

    public string QueryResponseXml(string operation, JsonElement? outputShape, StructNode? value, string? resultWrapper, string requestId)
    {
        var ns = ServiceModel.Str(model.Metadata, "xmlNamespace");
        var xml = new StringBuilder();
        xml.Append(CultureInfo.InvariantCulture, $"<{operation}Response xmlns=\"{ns}\">");
        if (resultWrapper != null && outputShape is { } shape && value != null)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<{resultWrapper}>");
            XmlMembers(xml, shape, value);
            xml.Append(CultureInfo.InvariantCulture, $"</{resultWrapper}>");
        }

        xml.Append(CultureInfo.InvariantCulture, $"<ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata></{operation}Response>");
        return xml.ToString();
    }

    private void XmlMembers(StringBuilder xml, JsonElement shape, StructNode value)
    {
        foreach (var (member, reference, target) in model.Members(shape))
        {
            if (value.Members.TryGetValue(member, out var node))
            {
                XmlValue(xml, ServiceModel.Str(reference, "locationName") ?? member, target, node);
            }
        }
    }

    private void XmlValue(StringBuilder xml, string name, JsonElement shape, Node node)
    {
        switch (node)
        {
            case StructNode s:
                xml.Append(CultureInfo.InvariantCulture, $"<{name}>");
                XmlMembers(xml, shape, s);
                xml.Append(CultureInfo.InvariantCulture, $"</{name}>");
                break;
            case ListNode l:
                var memberRef = shape.GetProperty("member");
                var memberShape = model.Shape(memberRef.GetProperty("shape").GetString()!);
                if (ServiceModel.Flag(shape, "flattened"))
                {
                    foreach (var item in l.Items)
                    {
                        XmlValue(xml, ServiceModel.Str(memberRef, "locationName") ?? name, memberShape, item);
                    }

                    break;
                }

                if (l.Items.Count == 0)
                {
                    xml.Append(CultureInfo.InvariantCulture, $"<{name}/>");
                    break;
                }

                xml.Append(CultureInfo.InvariantCulture, $"<{name}>");
                foreach (var item in l.Items)
                {
                    XmlValue(xml, ServiceModel.Str(memberRef, "locationName") ?? "member", memberShape, item);
                }

                xml.Append(CultureInfo.InvariantCulture, $"</{name}>");
                break;
            case MapNode m:
                var keyName = ServiceModel.Str(shape.GetProperty("key"), "locationName") ?? "key";
                var valueName = ServiceModel.Str(shape.GetProperty("value"), "locationName") ?? "value";
                var valueShape = model.Shape(shape.GetProperty("value").GetProperty("shape").GetString()!);
                xml.Append(CultureInfo.InvariantCulture, $"<{name}>");
                foreach (var (key, value) in m.Entries)
                {
                    xml.Append(CultureInfo.InvariantCulture, $"<entry><{keyName}>{SecurityElement.Escape(key)}</{keyName}>");
                    XmlValue(xml, valueName, valueShape, value);
                    xml.Append("</entry>");
                }

                xml.Append(CultureInfo.InvariantCulture, $"</{name}>");
                break;
            case ScalarNode scalar:
                xml.Append(CultureInfo.InvariantCulture, $"<{name}>{SecurityElement.Escape(ModelValues.QueryText(scalar.Value))}</{name}>");
                break;
        }
    }

    // ---------- REST-JSON ----------

    /// <summary>A structure as a JSON document: locationName or member name, timestamps as epoch seconds, blobs base64.</summary>
    public JsonObject JsonBody(JsonElement shape, StructNode value, Func<JsonElement, bool> include)
    {
        var result = new JsonObject();
        foreach (var (member, reference, target) in model.Members(shape))
        {
            if (value.Members.TryGetValue(member, out var node) && include(reference))
            {
                result[ServiceModel.Str(reference, "locationName") ?? member] = Json(target, node);
            }
        }

        return result;
    }

    private JsonNode? Json(JsonElement shape, Node node) => node switch
    {
        StructNode s => JsonBody(shape, s, _ => true),
        ListNode l => new JsonArray(l.Items.Select(i => Json(model.Shape(shape.GetProperty("member").GetProperty("shape").GetString()!), i)).ToArray()),
        MapNode m => new JsonObject(m.Entries.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, Json(model.Shape(shape.GetProperty("value").GetProperty("shape").GetString()!), e.Value)))),
        ScalarNode { Value: DateTime t } => JsonValue.Create(ModelValues.EpochSeconds(t)),
        ScalarNode { Value: byte[] b } => JsonValue.Create(Convert.ToBase64String(b)),
        ScalarNode { Value: string s } => JsonValue.Create(s),
        ScalarNode { Value: bool b } => JsonValue.Create(b),
        ScalarNode { Value: int i } => JsonValue.Create(i),
        ScalarNode { Value: long l } => JsonValue.Create(l),
        ScalarNode { Value: double d } => JsonValue.Create(d),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Compares JSON documents by value (numbers as numbers), naming the first difference.</summary>
    public static void AssertJsonEqual(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.Number)
        {
            Assert.True(actual.ValueKind == JsonValueKind.Number, $"{path}: expected a number, got {actual.ValueKind}");
            Assert.True(expected.GetDecimal() == actual.GetDecimal(), $"{path}: expected {expected}, got {actual}");
            return;
        }

        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected {expected.ValueKind}, got {actual.ValueKind} ({actual})");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedNames = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualNames = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                Assert.True(expectedNames.SequenceEqual(actualNames), $"{path}: expected members [{string.Join(", ", expectedNames)}], got [{string.Join(", ", actualNames)}]");
                foreach (var property in expected.EnumerateObject())
                {
                    AssertJsonEqual(property.Value, actual.GetProperty(property.Name), path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: expected {expected.GetArrayLength()} elements, got {actual.GetArrayLength()}");
                var index = 0;
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                {
                    AssertJsonEqual(e, a, $"{path}[{index++}]");
                }

                break;
            default:
                Assert.True(expected.ToString() == actual.ToString(), $"{path}: expected {expected}, got {actual}");
                break;
        }
    }
}
