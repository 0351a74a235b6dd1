using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.RDS;

public sealed class ApplicationTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static string Endpoint(string identifier) => RdsState.ClusterEndpointName("111111111111", "us-east-1", identifier);

    [Fact]
    public async Task Opening_a_connection_to_a_name_that_does_not_resolve_fails_through_the_sandbox_api()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };

        using var response = await http.PostAsJsonAsync(new Uri("/_sandbox/rds/connections", UriKind.Relative), new { endpoint = Endpoint("nowhere") });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("could not translate host name", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_through_an_open_connection_land_in_the_cluster_it_opened_to_even_after_a_rename()
    {
        await fixture.AvailableClusterAsync("app-rename");
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };
        using var opened = await http.PostAsJsonAsync(new Uri("/_sandbox/rds/connections", UriKind.Relative), new { endpoint = Endpoint("app-rename") });
        var connectionId = JsonNode.Parse(await opened.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        await fixture.Cli.JsonAsync("rds", "modify-db-cluster", "--db-cluster-identifier", "app-rename", "--new-db-cluster-identifier", "app-rename-old", "--apply-immediately");
        fixture.Advance(TimeSpan.FromMinutes(2));
        using var written = await http.PostAsJsonAsync(new Uri($"/_sandbox/rds/connections/{connectionId}/writes", UriKind.Relative), new { key = "order-1", value = "paid" });
        var write = JsonNode.Parse(await written.Content.ReadAsStringAsync())!;
        var reopen = Assert.Throws<DatabaseConnectionException>(() => fixture.Applications.Open(Endpoint("app-rename")));
        var report = JsonNode.Parse(await http.GetStringAsync(new Uri("/_sandbox/rds/writes", UriKind.Relative)))!.AsArray();

        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.True(write["acknowledged"]!.GetValue<bool>());
        Assert.Equal("app-rename-old", write["clusterIdentifier"]!.GetValue<string>());
        Assert.Contains("Name or service not known", reopen.Message, StringComparison.Ordinal);
        Assert.Contains(report, w => w!["key"]!.GetValue<string>() == "order-1" && w["clusterIdentifier"]!.GetValue<string>() == "app-rename-old");
        Assert.Equal(["order-1"], fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "app-rename-old")!.Writes.Select(w => w.Key).ToList()));
    }

    [Fact]
    public async Task A_closed_connection_acknowledges_no_more_writes()
    {
        await fixture.AvailableClusterAsync("app-close");
        var connection = fixture.Applications.Open(Endpoint("app-close"));

        var closed = fixture.Applications.Close(connection.Id);
        var write = fixture.Applications.Write(connection.Id, "late", "x");

        Assert.False(closed.IsOpen);
        Assert.False(write.Acknowledged);
        Assert.Empty(fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "app-close")!.Writes));
    }

    [Fact]
    public async Task A_cluster_without_an_available_writer_refuses_connections()
    {
        await fixture.Query.CreateClusterAsync("app-no-writer");
        fixture.Advance(TimeSpan.FromMinutes(5));

        var refused = Assert.Throws<DatabaseConnectionException>(() => fixture.Applications.Open(Endpoint("app-no-writer")));

        Assert.Contains("Connection refused", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_connections_are_counted_per_cluster_and_drop_to_zero_when_the_writer_reboots()
    {
        await fixture.AvailableClusterAsync("app-count");
        var resourceId = fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "app-count")!.ResourceId);
        fixture.Applications.Open(Endpoint("app-count"));
        fixture.Applications.Open(RdsState.InstanceEndpointName("111111111111", "us-east-1", "app-count-1"));

        var open = fixture.Sandbox.Runtime.Read(() => fixture.Applications.OpenConnectionCount(resourceId));
        await fixture.Cli.JsonAsync("rds", "reboot-db-instance", "--db-instance-identifier", "app-count-1");
        var afterReboot = fixture.Sandbox.Runtime.Read(() => fixture.Applications.OpenConnectionCount(resourceId));

        Assert.Equal(2, open);
        Assert.Equal(0, afterReboot);
    }
}
