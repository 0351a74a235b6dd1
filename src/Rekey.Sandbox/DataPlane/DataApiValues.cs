using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;

namespace Rekey.Sandbox.DataPlane;

/// <summary>The Data API's JSON shapes: a Field (one of isNull, booleanValue, longValue, doubleValue, stringValue, blobValue, arrayValue) for each value.</summary>
internal static class DataApiValues
{
    /// <summary>ExecuteStatement's answer: records (or formattedRecords as JSON), columnMetadata on request, numberOfRecordsUpdated.</summary>
    public static JsonObject Result(NpgsqlDataReader reader, bool json, bool metadata)
    {
        var result = new JsonObject();
        if (reader.FieldCount > 0)
        {
            var records = new JsonArray();
            var objects = new JsonArray();
            while (reader.Read())
            {
                var record = new JsonArray();
                var row = new JsonObject();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    record.Add(Field(value));
                    row[reader.GetName(i)] = Plain(value);
                }

                records.Add(record);
                objects.Add(row);
            }

            if (json)
            {
                result["formattedRecords"] = objects.ToJsonString();
            }
            else
            {
                result["records"] = records;
            }

            if (metadata)
            {
                result["columnMetadata"] = new JsonArray([.. Enumerable.Range(0, reader.FieldCount).Select(i => Column(reader, i))]);
            }
        }

        reader.Close();
        result["numberOfRecordsUpdated"] = Math.Max(reader.RecordsAffected, 0);
        return result;
    }

    /// <summary>A parameter's value from its Field (what the SQL's :name takes).</summary>
    public static object FromField(JsonObject? field)
    {
        if (field is null || field["isNull"]?.GetValue<bool>() == true)
        {
            return DBNull.Value;
        }

        return field["longValue"]?.GetValue<long>() as object
            ?? field["booleanValue"]?.GetValue<bool>() as object
            ?? field["doubleValue"]?.GetValue<double>() as object
            ?? field["stringValue"]?.GetValue<string>() as object
            ?? (field["blobValue"]?.GetValue<string>() is { } blob ? Convert.FromBase64String(blob) : DBNull.Value);
    }

    private static JsonObject Field(object? value) => value switch
    {
        null => new JsonObject { ["isNull"] = true },
        bool b => new JsonObject { ["booleanValue"] = b },
        short or int or long => new JsonObject { ["longValue"] = Convert.ToInt64(value, CultureInfo.InvariantCulture) },
        float or double => new JsonObject { ["doubleValue"] = Convert.ToDouble(value, CultureInfo.InvariantCulture) },
        byte[] bytes => new JsonObject { ["blobValue"] = Convert.ToBase64String(bytes) },
        Array array => new JsonObject { ["arrayValue"] = ArrayValue(array) },
        _ => new JsonObject { ["stringValue"] = Text(value) },
    };

    private static JsonObject ArrayValue(Array array)
    {
        var items = array.Cast<object?>().ToList();
        return array switch
        {
            bool[] => new JsonObject { ["booleanValues"] = new JsonArray([.. items.Select(v => JsonValue.Create((bool)v!))]) },
            short[] or int[] or long[] => new JsonObject { ["longValues"] = new JsonArray([.. items.Select(v => JsonValue.Create(Convert.ToInt64(v, CultureInfo.InvariantCulture)))]) },
            float[] or double[] => new JsonObject { ["doubleValues"] = new JsonArray([.. items.Select(v => JsonValue.Create(Convert.ToDouble(v, CultureInfo.InvariantCulture)))]) },
            _ => new JsonObject { ["stringValues"] = new JsonArray([.. items.Select(v => JsonValue.Create(Text(v)))]) },
        };
    }

    private static JsonNode? Plain(object? value) => value switch
    {
        null => null,
        bool b => b,
        short or int or long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float or double => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => Text(value),
    };

    /// <summary>Text as PostgreSQL writes it: timestamps as "yyyy-MM-dd HH:mm:ss[.ffffff]", numbers in the invariant culture.</summary>
    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static JsonObject Column(NpgsqlDataReader reader, int i) => new()
    {
        ["name"] = reader.GetName(i),
        ["label"] = reader.GetName(i),
        ["typeName"] = reader.GetDataTypeName(i),
        ["nullable"] = 2,
    };
}
