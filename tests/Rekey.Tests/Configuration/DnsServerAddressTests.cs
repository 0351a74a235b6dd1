using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class DnsServerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:4553", "127.0.0.1", 4553)]
    [InlineData("localhost:53", "localhost", 53)]
    [InlineData("[::1]:5353", "::1", 5353)]
    public void Host_and_port_are_read(string text, string host, int port)
    {
        Assert.True(DnsServerAddress.TryParse(text, out var address));
        Assert.Equal(new DnsServerAddress(host, port), address);
        Assert.Equal(text, address!.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData(":53")]
    [InlineData("::1:53")]
    [InlineData("[::1]")]
    [InlineData("host:0")]
    [InlineData("host:-1")]
    [InlineData("bad host:53")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(DnsServerAddress.TryParse(text, out _));
    }
}
