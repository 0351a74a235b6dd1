using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class DataPlaneControlApiTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task The_sandbox_api_switches_the_data_plane_for_clusters_created_afterwards_and_refuses_an_unknown_one()
    {
        var url = new Uri(fixture.Sandbox.BaseUrl, "_sandbox/data-plane");
        using var toModel = await Http.PutAsJsonAsync(url, new { mode = "model" });
        await fixture.Query.CreateClusterAsync("api-model");
        fixture.Advance(fixture.Sandbox.Runtime.Durations.ClusterCreate);
        var listed = JsonNode.Parse(await Http.GetStringAsync(url))!;
        using var unknown = await Http.PutAsJsonAsync(url, new { mode = "oracle" });
        using var back = await Http.PutAsJsonAsync(url, new { mode = "postgres" });

        Assert.Equal(HttpStatusCode.OK, toModel.StatusCode);
        Assert.Equal("available", fixture.Read(rds => rds.FindCluster("111111111111", "us-east-1", "api-model")!.Status));
        Assert.Contains(listed["servers"]!.AsArray(), s => s!["clusterIdentifier"]!.GetValue<string>() == "api-model" && s["state"]!.GetValue<string>() == "model");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("postgres or model", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("postgres", JsonNode.Parse(await back.Content.ReadAsStringAsync())!["mode"]!.GetValue<string>());
    }
}
