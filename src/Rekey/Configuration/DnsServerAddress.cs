using System.Globalization;
using System.Net;

namespace Rekey.Configuration;

/// <summary>A name server to ask instead of the system resolver, as <c>host:port</c>.</summary>
public sealed record DnsServerAddress(string Host, int Port)
{
    public static bool TryParse(string text, out DnsServerAddress? address)
    {
        address = null;
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            // [::1]:53 — the brackets keep the port apart from an IPv6 address's colons.
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out _))
            {
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (Uri.CheckHostName(host) is UriHostNameType.Unknown)
            {
                return false;
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        address = new DnsServerAddress(host, port);
        return true;
    }

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
