using System.Text.RegularExpressions;
using Rekey.State;

namespace Rekey.Tests.State;

public sealed partial class TagChunksTests
{
    private sealed record Definition(string Name, IReadOnlyList<string> Members, string Type);

    // What RDS accepts in a tag value.
    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagValueAlphabet();

    private static Definition Large() =>
        new("reporting", [.. Enumerable.Range(0, 400).Select(i => $"orders-{i}-{Guid.NewGuid():N}")], "READER");

    [Fact]
    public void A_value_comes_back_equal_after_encoding_and_decoding()
    {
        var value = new Definition("reporting", ["orders-2", "orders-3"], "READER");

        var tags = TagChunks.Encode("rekey:definition:", value);
        var back = TagChunks.Decode<Definition>("rekey:definition:", tags);

        Assert.NotNull(back);
        Assert.Equal(value.Name, back.Name);
        Assert.Equal(value.Members, back.Members);
        Assert.Equal(value.Type, back.Type);
    }

    [Fact]
    public void A_large_value_is_cut_into_numbered_tags_each_within_256_characters_of_the_tag_alphabet()
    {
        var value = Large();

        var tags = TagChunks.Encode("rekey:definition:", value);

        Assert.True(tags.Count > 1, $"{tags.Count} tag");
        Assert.Equal(Enumerable.Range(0, tags.Count).Select(i => $"rekey:definition:{i}"), tags.Keys.Order(StringComparer.Ordinal).OrderBy(k => k.Length));
        Assert.All(tags.Values, v => Assert.InRange(v.Length, 1, TagChunks.MaxValueLength));
        Assert.All(tags.Values, v => Assert.Matches(TagValueAlphabet(), v));
        Assert.Equal(value.Members, TagChunks.Decode<Definition>("rekey:definition:", tags)!.Members);
    }

    [Fact]
    public void No_tag_with_the_prefix_decodes_to_null()
    {
        Assert.Null(TagChunks.Decode<Definition>("rekey:definition:", new Dictionary<string, string> { ["team"] = "payments" }));
    }

    [Fact]
    public void An_edited_tag_gives_an_error_that_names_the_tags_and_suspects_a_hand_edit()
    {
        var tags = TagChunks.Encode("rekey:definition:", Large()).ToDictionary();
        tags["rekey:definition:0"] = "edited by hand";

        var error = Assert.Throws<InvalidDataException>(() => TagChunks.Decode<Definition>("rekey:definition:", tags));

        Assert.Contains("rekey:definition:0..", error.Message, StringComparison.Ordinal);
        Assert.Contains("edited by hand?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_middle_tag_gives_a_clear_error_rather_than_a_partial_value()
    {
        var tags = TagChunks.Encode("rekey:definition:", Large()).ToDictionary();
        Assert.True(tags.Count > 2);
        tags.Remove("rekey:definition:1");

        var error = Assert.Throws<InvalidDataException>(() => TagChunks.Decode<Definition>("rekey:definition:", tags));

        Assert.Contains("do not hold a readable value", error.Message, StringComparison.Ordinal);
    }
}
