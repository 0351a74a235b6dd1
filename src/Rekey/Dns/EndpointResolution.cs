using System.Net;

namespace Rekey.Dns;

/// <summary>What a name server answered for an endpoint name.</summary>
/// <param name="Name">The name asked for.</param>
/// <param name="Exists">False when the server answered NXDOMAIN (or no address).</param>
/// <param name="CanonicalNames">The CNAME chain, in order: for a cluster endpoint, the writer's instance endpoint.</param>
/// <param name="Addresses">The addresses at the end of the chain.</param>
public sealed record EndpointResolution(string Name, bool Exists, IReadOnlyList<string> CanonicalNames, IReadOnlyList<IPAddress> Addresses)
{
    public static EndpointResolution Missing(string name) => new(name, false, [], []);

    public override string ToString() =>
        Exists ? $"{Name} -> {string.Join(" -> ", CanonicalNames.Concat(Addresses.Select(a => a.ToString())))}" : $"{Name} does not resolve";
}
