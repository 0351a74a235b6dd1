using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Dns;

/// <summary>
/// The DNS server on a loopback address (UDP and TCP; 127.0.0.1 unless told otherwise): CNAME + A for published names, NXDOMAIN for the
/// rest. ARSoft.Tools.Net does the wire format; this class only answers questions.
/// </summary>
public sealed class SandboxDnsServer : IDisposable
{
    // AWS publishes cluster endpoints with a 5 second TTL.
    private const int TimeToLive = 5;
    private readonly DnsServer _server;
    private readonly DnsZone _zone;
    private readonly SandboxRuntime _runtime;

    public SandboxDnsServer(DnsZone zone, SandboxRuntime runtime, IPAddress address, int port)
    {
        _zone = zone;
        _runtime = runtime;
        Port = port;
        var endpoint = new IPEndPoint(address, port);
        _server = new DnsServer(new UdpServerTransport(endpoint), new TcpServerTransport(endpoint));
        _server.QueryReceived += OnQueryReceivedAsync;
    }

    public int Port { get; }

    public void Start() => _server.Start();

    public void Dispose() => _server.Stop();

    /// <summary>Builds the answer to one query (also used directly by tests of the zone).</summary>
    public DnsMessage Answer(DnsMessage query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = query.Questions[0];
        var name = question.Name.ToString();
        var found = _runtime.Read(() =>
        {
            var now = _runtime.Clock.Now;
            return _zone.Resolve(name, now) ?? _zone.ResolveCanonical(name, now);
        });
        if (found is null)
        {
            response.ReturnCode = ReturnCode.NxDomain;
            return response;
        }

        response.ReturnCode = ReturnCode.NoError;
        var owner = question.Name;
        if (found.CanonicalName is not null)
        {
            var canonical = DomainName.Parse(found.CanonicalName);
            response.AnswerRecords.Add(new CNameRecord(owner, TimeToLive, canonical));
            owner = canonical;
        }

        if (question.RecordType is RecordType.A or RecordType.Any)
        {
            response.AnswerRecords.Add(new ARecord(owner, TimeToLive, found.Address));
        }

        return response;
    }

    private Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            e.Response = Answer(query);
        }

        return Task.CompletedTask;
    }
}
