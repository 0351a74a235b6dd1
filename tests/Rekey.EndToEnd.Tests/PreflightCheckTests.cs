using System.Text.Json;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Sandbox.Core;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// Preflight's items are passed, failed or not measured: a read AWS refuses is never a pass. An essential one refuses the
/// cutover (exit code 3) naming where to look instead; a supplementary one is listed in the report and summary and Preflight goes on.
/// </summary>
public sealed class PreflightCheckTests
{
    [Theory]
    [ChaosSeeds]
    public async Task Preflight_that_may_not_list_zero_ETL_integrations_lists_the_item_as_not_measured_and_refuses_with_exit_3(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Fail, Service = "rds", Operation = "DescribeIntegrations", ErrorCode = "AccessDenied", HttpStatus = 403, Count = 10 });

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-preflight-integrations"));

        Assert.True(result.ExitCode == ExitCodes.RefusedByPreflight, result.ToString());
        Assert.Contains($"Not measured: no zero-ETL integration has {LedgerCluster.Id} as its source", Flat(result), StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
        using var report = await ReportAsync(sandbox);
        var item = Item(report, "no zero-ETL integration");
        Assert.Equal("not-measured", item.GetProperty("outcome").GetString());
        Assert.Contains("AccessDenied", item.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("aws rds describe-integrations", item.GetProperty("lookInstead").GetString(), StringComparison.Ordinal);
        Assert.Equal("passed", Item(report, "is no member of a global cluster").GetProperty("outcome").GetString());
        var markdown = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-preflight-report.md"));
        Assert.Contains("**not measured**: no zero-ETL integration", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_that_may_not_list_RDS_proxies_passes_and_lists_the_dependents_as_not_measured_with_where_to_look(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        sandbox.AddFault(new FaultRule { Kind = FaultKind.Fail, Service = "rds", Operation = "DescribeDBProxies", ErrorCode = "AccessDenied", HttpStatus = 403, Count = 10 });

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-preflight-proxies"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("not measured: RDS Proxy targets and event subscriptions", Flat(result), StringComparison.Ordinal);
        using var report = await ReportAsync(sandbox);
        var item = Item(report, "RDS Proxy targets");
        Assert.Equal("not-measured", item.GetProperty("outcome").GetString());
        Assert.False(item.GetProperty("essential").GetBoolean());
        Assert.Contains("describe-db-proxy-targets", item.GetProperty("lookInstead").GetString(), StringComparison.Ordinal);
        var markdown = await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-preflight-report.md"));
        Assert.Contains("**not measured** (supplementary): RDS Proxy targets", markdown, StringComparison.Ordinal);
    }

    private static JsonElement Item(JsonDocument report, string what) =>
        Assert.Single(
            report.RootElement.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("step").GetString() == "Preflight").SelectMany(c => c.GetProperty("items").EnumerateArray()),
            i => i.GetProperty("what").GetString()!.Contains(what, StringComparison.Ordinal));

    private static async Task<JsonDocument> ReportAsync(EndToEndSandbox sandbox) =>
        JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-preflight-report.json")));

    /// <summary>The console as one line: the host wraps long messages at its width.</summary>
    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
