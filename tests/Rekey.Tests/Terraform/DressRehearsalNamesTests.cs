using Rekey.Forecast;

namespace Rekey.Tests.Terraform;

public sealed class DressRehearsalNamesTests
{
    [Fact]
    public void The_copy_is_named_after_the_cluster()
    {
        Assert.Equal("orders-rekey-dress", DressRehearsalCluster.NameFor("orders"));
        Assert.Equal("orders-rekey-dress-1", DressRehearsalCluster.WriterNameFor("orders"));
    }

    [Fact]
    public void A_long_identifier_is_shortened_so_the_writers_name_fits_63_characters_without_a_hyphen_before_the_suffix()
    {
        var id = new string('a', 48) + "-" + new string('b', 14);

        var writer = DressRehearsalCluster.WriterNameFor(id);

        Assert.True(writer.Length <= 63, writer);
        Assert.DoesNotContain("--", writer, StringComparison.Ordinal);
        Assert.EndsWith("-rekey-dress-1", writer, StringComparison.Ordinal);
    }
}
