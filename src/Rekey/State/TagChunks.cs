using System.IO.Compression;
using System.Text.Json;

namespace Rekey.State;

/// <summary>
/// Stores a value as JSON across numbered tags. RDS tag values hold at most 256 characters from a
/// small alphabet (letters, digits, spaces and <c>_ . : / = + - @</c>), so the JSON is compressed
/// and base64-encoded, whose alphabet fits, then cut into pieces.
/// </summary>
public static class TagChunks
{
    public const int MaxValueLength = 256;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyDictionary<string, string> Encode<T>(string keyPrefix, T value)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            JsonSerializer.Serialize(deflate, value, Json);
        }

        var text = Convert.ToBase64String(buffer.ToArray());
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i * MaxValueLength < text.Length; i++)
        {
            tags[keyPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                text.Substring(i * MaxValueLength, Math.Min(MaxValueLength, text.Length - (i * MaxValueLength)));
        }

        return tags;
    }

    /// <summary>Reads the value back, or null when no tag with the prefix exists.</summary>
    /// <exception cref="InvalidDataException">The pieces do not make a whole value (a tag was edited or lost).</exception>
    public static T? Decode<T>(string keyPrefix, IReadOnlyDictionary<string, string> tags)
        where T : class
    {
        var pieces = new List<string>();
        for (var i = 0; tags.TryGetValue(keyPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var piece); i++)
        {
            pieces.Add(piece);
        }

        if (pieces.Count == 0)
        {
            return null;
        }

        try
        {
            using var compressed = new MemoryStream(Convert.FromBase64String(string.Concat(pieces)));
            using var deflate = new DeflateStream(compressed, CompressionMode.Decompress);
            return JsonSerializer.Deserialize<T>(deflate, Json)
                   ?? throw new InvalidDataException($"The tags {keyPrefix}* hold no value.");
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidDataException)
        {
            throw new InvalidDataException(
                $"The tags {keyPrefix}0..{pieces.Count - 1} do not hold a readable value; were they edited by hand? ({exception.Message})",
                exception);
        }
    }
}
