using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class IamScopeSettingsTests
{
    private static readonly IReadOnlySet<string> HostArguments = new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase);

    private static RekeySettings Read(Dictionary<string, string?> arguments) =>
        SettingsReader.Read(
            arguments.ToDictionary(a => a.Key, a => (IReadOnlyList<string?>)[a.Value], StringComparer.OrdinalIgnoreCase),
            _ => null,
            HostArguments);

    [Fact]
    public void Roles_are_scoped_to_the_cluster_unless_the_fleet_scope_is_asked()
    {
        Assert.False(Read([]).IamFleet);
        Assert.False(Read(new() { ["iam-scope"] = "cluster" }).IamFleet);
        Assert.True(Read(new() { ["iam-scope"] = "fleet" }).IamFleet);
    }

    [Fact]
    public void An_unknown_iam_scope_fails_before_anything_naming_the_two_scopes()
    {
        var failure = Assert.Throws<InvalidArgumentsException>(() => Read(new() { ["iam-scope"] = "account" }));

        Assert.Contains("give cluster", failure.Message, StringComparison.Ordinal);
        Assert.Contains("fleet", failure.Message, StringComparison.Ordinal);
    }
}
