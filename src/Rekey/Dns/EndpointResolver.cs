using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Rekey.Configuration;

namespace Rekey.Dns;

/// <summary>Asks DNS what an endpoint name resolves to, as an application's driver would, without any cache.</summary>
public interface IEndpointResolver
{
    Task<EndpointResolution> ResolveAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// Resolves through DnsClient, against the system's name servers or the one given with --dns-server.
/// Caching is off: Rekey waits for names to disappear, and a cached answer would hide that.
/// </summary>
public sealed class EndpointResolver : IEndpointResolver
{
    private readonly LookupClient _client;

    public EndpointResolver(DnsServerAddress? server)
    {
        var options = server is null
            ? new LookupClientOptions()
            : new LookupClientOptions(new IPEndPoint(AddressOf(server.Host), server.Port));
        options.UseCache = false;
        options.Retries = 1;
        options.Timeout = TimeSpan.FromSeconds(3);
        options.ContinueOnDnsError = false;
        options.ThrowDnsErrors = false;
        _client = new LookupClient(options);
    }

    public async Task<EndpointResolution> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _client.QueryAsync(name, QueryType.A, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new InvalidOperationException($"The name server answered {response.Header.ResponseCode} for {name}: {response.ErrorMessage}");
        }

        var canonical = response.Answers.OfType<CNameRecord>().Select(r => r.CanonicalName.Value.TrimEnd('.')).ToList();
        var addresses = response.Answers.OfType<ARecord>().Select(r => r.Address).ToList();
        return addresses.Count == 0 && canonical.Count == 0
            ? EndpointResolution.Missing(name)
            : new EndpointResolution(name, addresses.Count > 0, canonical, addresses);
    }

    private static IPAddress AddressOf(string host) =>
        IPAddress.TryParse(host, out var address)
            ? address
            : System.Net.Dns.GetHostAddresses(host).FirstOrDefault()
              ?? throw new InvalidOperationException($"The DNS server host '{host}' does not resolve.");
}
