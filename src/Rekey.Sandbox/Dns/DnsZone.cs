using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Dns;

/// <summary>
/// A published name: <see cref="Name"/> is a CNAME to <see cref="CanonicalName"/> (when set),
/// which has the A record <see cref="Address"/>. <see cref="Owner"/> is the resource behind it
/// (an RDS cluster or instance resource id). Visible in [VisibleFrom, VisibleUntil).
/// </summary>
public sealed record DnsEntry
{
    public required string Name { get; init; }

    public string? CanonicalName { get; init; }

    public required string Address { get; init; }

    public required string Owner { get; init; }

    public DateTimeOffset VisibleFrom { get; init; }

    public DateTimeOffset? VisibleUntil { get; init; }

    public bool IsVisibleAt(DateTimeOffset time) => VisibleFrom <= time && (VisibleUntil is null || time < VisibleUntil);
}

/// <summary>What a name resolves to at a moment.</summary>
public sealed record DnsResolution(string Name, string? CanonicalName, IPAddress Address, string Owner);

/// <summary>
/// The names the sandbox's DNS server answers, with the moment each appears and disappears, so
/// that a change reaches DNS after a delay, as AWS's does. Services publish; the DNS server and
/// the simulated application resolve (always under the runtime lock). In the unruly mode each
/// name appears later by a delay of its own and a removed name lingers (<see cref="ChaosMode"/>).
/// </summary>
public sealed class DnsZone(ChaosMode chaos) : IStatefulComponent
{
    private List<DnsEntry> _entries = [];

    public string StateKey => "dns";

    public IReadOnlyList<DnsEntry> Entries => _entries;

    /// <summary>Publishes <paramref name="entry"/>; an entry for the same name and owner still visible then is retired at that moment.</summary>
    public void Publish(DnsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // The previous answer for the name stays until the new one appears: a replaced name is never missing.
        var from = entry.VisibleFrom + chaos.NameDelay(entry.Name);
        RetireAt(e => Same(e.Name, entry.Name), from);
        _entries.Add(entry with
        {
            Name = Normalize(entry.Name),
            CanonicalName = entry.CanonicalName is null ? null : Normalize(entry.CanonicalName),
            VisibleFrom = from,
        });
    }

    /// <summary>Makes a name stop resolving at <paramref name="at"/>.</summary>
    public void Retire(string name, DateTimeOffset at) => Retire(e => Same(e.Name, name), at);

    /// <summary>Retires every name of an owner at <paramref name="at"/>.</summary>
    public void RetireOwner(string owner, DateTimeOffset at) => Retire(e => e.Owner == owner, at);

    /// <summary>Makes the names <paramref name="which"/> selects stop resolving at <paramref name="at"/> (later by each name's linger in the unruly mode).</summary>
    public void Retire(Func<DnsEntry, bool> which, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(which);
        for (var i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            var until = at + chaos.NameLinger(entry.Name);
            if (which(entry) && (entry.VisibleUntil is null || entry.VisibleUntil > until))
            {
                _entries[i] = entry with { VisibleUntil = until < entry.VisibleFrom ? entry.VisibleFrom : until };
            }
        }
    }

    private void RetireAt(Func<DnsEntry, bool> which, DateTimeOffset at)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            if (which(entry) && (entry.VisibleUntil is null || entry.VisibleUntil > at))
            {
                _entries[i] = entry with { VisibleUntil = at < entry.VisibleFrom ? entry.VisibleFrom : at };
            }
        }
    }

    /// <summary>
    /// Points entries at another address (and the canonical name built from it) where
    /// <paramref name="address"/> names one: the data plane serves an instance from its cluster's server.
    /// </summary>
    public void Readdress(Func<DnsEntry, string?> address)
    {
        ArgumentNullException.ThrowIfNull(address);
        for (var i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            if (address(entry) is { } wanted && wanted != entry.Address)
            {
                _entries[i] = entry with
                {
                    Address = wanted,
                    CanonicalName = entry.CanonicalName?.Replace(entry.Address.Replace('.', '-'), wanted.Replace('.', '-'), StringComparison.Ordinal),
                };
            }
        }
    }

    public DnsResolution? Resolve(string name, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = Normalize(name);
        var entry = _entries.LastOrDefault(e => e.Name == normalized && e.IsVisibleAt(at));
        return entry is null ? null : new DnsResolution(entry.Name, entry.CanonicalName, IPAddress.Parse(entry.Address), entry.Owner);
    }

    /// <summary>The canonical (CNAME target) name, answered with its A record.</summary>
    public DnsResolution? ResolveCanonical(string name, DateTimeOffset at)
    {
        var normalized = Normalize(name);
        var entry = _entries.LastOrDefault(e => e.CanonicalName == normalized && e.IsVisibleAt(at));
        return entry is null ? null : new DnsResolution(normalized, null, IPAddress.Parse(entry.Address), entry.Owner);
    }

    public JsonNode Save() => JsonSerializer.SerializeToNode(_entries, SandboxJson.Options)!;

    public void Load(JsonNode state) => _entries = state.Deserialize<List<DnsEntry>>(SandboxJson.Options) ?? [];

    /// <summary>
    /// A loopback address derived from a resource id, stable across restarts and renames:
    /// 127.a.b.c with a, b, c from a hash of the id (never 127.0.0.x, the usual loopback).
    /// </summary>
    public static string LoopbackAddressFor(string resourceId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(resourceId));
        var second = (hash[0] % 254) + 1;
        return $"127.{second}.{hash[1]}.{(hash[2] % 253) + 1}";
    }

    private static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();

    private static bool Same(string a, string b) => Normalize(a) == Normalize(b);
}
