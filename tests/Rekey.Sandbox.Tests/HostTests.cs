using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Rekey.Sandbox.Tests;

public sealed class HostTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly XNamespace Rds = "http://rds.amazonaws.com/doc/2014-10-31/";

    // A request as a SigV4 client sends it; the sandbox routes by the credential scope and does not verify the signature.
    private static HttpRequestMessage Signed(string service, string account, HttpMethod method, string body)
    {
        var request = new HttpRequestMessage(method, "/")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={account}/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000");
        return request;
    }

    [Fact]
    public async Task Health_answers_200_on_loopback_when_ready()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var response = await http.GetAsync(new Uri("/_sandbox/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", fixture.Sandbox.BaseUrl.Host);
        Assert.Equal("ready", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Date_header_follows_the_sandbox_clock_not_the_real_one()
    {
        fixture.Advance(TimeSpan.FromDays(3));
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var request = Signed("sts", "111111111111", HttpMethod.Post, "Action=GetCallerIdentity&Version=2011-06-15");
        using var response = await http.SendAsync(request);

        var date = response.Headers.Date ?? throw new InvalidOperationException("No Date header.");
        Assert.True(Math.Abs((date - fixture.Sandbox.Clock.Now).TotalSeconds) < 5, $"Date {date} is not the sandbox time {fixture.Sandbox.Clock.Now}.");
        Assert.True(date - DateTimeOffset.UtcNow > TimeSpan.FromDays(2), "Date is the real time.");
    }

    [Fact]
    public async Task Query_errors_have_the_AWS_ErrorResponse_shape_code_and_status()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var request = Signed("rds", "111111111111", HttpMethod.Post, "Action=DescribeDBClusters&Version=2014-10-31&DBClusterIdentifier=missing");
        using var response = await http.SendAsync(request);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(Rds + "ErrorResponse", xml.Name);
        Assert.Equal("Sender", xml.Element(Rds + "Error")!.Element(Rds + "Type")!.Value);
        Assert.Equal("DBClusterNotFoundFault", xml.Element(Rds + "Error")!.Element(Rds + "Code")!.Value);
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), xml.Element(Rds + "RequestId")!.Value);
    }

    [Fact]
    public async Task Query_responses_carry_result_and_ResponseMetadata_in_the_service_namespace()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var request = Signed("rds", "111111111111", HttpMethod.Post, "Action=DescribeDBClusters&Version=2014-10-31");
        using var response = await http.SendAsync(request);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Rds + "DescribeDBClustersResponse", xml.Name);
        Assert.NotNull(xml.Element(Rds + "DescribeDBClustersResult")!.Element(Rds + "DBClusters"));
        Assert.False(string.IsNullOrEmpty(xml.Element(Rds + "ResponseMetadata")!.Element(Rds + "RequestId")!.Value));
    }

    [Fact]
    public async Task A_service_the_sandbox_does_not_serve_is_refused_with_an_AWS_error()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var request = Signed("ec2", "111111111111", HttpMethod.Post, "Action=DescribeInstances");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnrecognizedClientException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task An_unknown_Query_action_is_InvalidAction()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var request = Signed("rds", "111111111111", HttpMethod.Post, "Action=DescribeNothing&Version=2014-10-31");
        using var response = await http.SendAsync(request);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidAction", xml.Element(Rds + "Error")!.Element(Rds + "Code")!.Value);
    }

    [Fact]
    public async Task The_sandbox_starts_with_one_organization_of_two_members_and_a_management_account_with_cross_account_backup_off()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        var organization = Assert.Single(JsonNode.Parse(await http.GetStringAsync(new Uri("/_sandbox/organizations", UriKind.Relative)))!.AsArray())!;

        Assert.Equal("999999999999", organization["managementAccount"]!.GetValue<string>());
        var members = organization["members"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.Contains("111111111111", members);
        Assert.Contains("222222222222", members);
        Assert.False(organization["crossAccountBackupEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Command_line_sets_ports_clock_state_file_and_durations()
    {
        var options = CommandLine.Parse(["--port", "0", "--dns-port=5353", "--clock-speed", "60", "--state-file", "s.json", "--restore-minutes", "2.5", "--dns-change-minutes=0.5", "--integration-create-minutes", "3"]);

        Assert.Equal(0, options.Port);
        Assert.Equal(5353, options.DnsPort);
        Assert.Equal(60, options.ClockSpeed);
        Assert.EndsWith("s.json", options.StateFile, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(2.5), options.Durations.Restore);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Durations.DnsChange);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Durations.InstanceCreate);
        Assert.Equal(TimeSpan.FromMinutes(3), options.Durations.IntegrationCreate);
        Assert.Equal(System.Net.IPAddress.Loopback, options.DnsAddress);
    }

    [Fact]
    public void Command_line_puts_the_DNS_server_on_another_loopback_address()
    {
        var options = CommandLine.Parse(["--dns-address=127.0.0.153", "--dns-port", "53"]);

        Assert.Equal(System.Net.IPAddress.Parse("127.0.0.153"), options.DnsAddress);
        Assert.Equal(53, options.DnsPort);
    }

    [Theory]
    [InlineData("--bogus", "1")]
    [InlineData("--clock-speed", "0")]
    [InlineData("--port", "70000")]
    [InlineData("--dns-address", "10.0.0.153")]
    [InlineData("--dns-address", "localhost")]
    public void Command_line_rejects_bad_options(string name, string value) =>
        Assert.Throws<ArgumentException>(() => CommandLine.Parse([name, value]));

    [Fact]
    public async Task Clock_advance_through_the_sandbox_api_moves_sandbox_time()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        var before = fixture.Sandbox.Clock.Now;
        using var content = new StringContent("""{"seconds": 3600}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/_sandbox/clock/advance", UriKind.Relative), content);
        var now = DateTimeOffset.Parse(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["now"]!.GetValue<string>(), CultureInfo.InvariantCulture);

        Assert.True(now - before >= TimeSpan.FromHours(1));
    }
}
