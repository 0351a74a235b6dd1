using System.Text.Json;
using Rekey.Build.SandboxRehearsal;
using Rekey.Tests.Reporting;
using Rekey.SandboxRehearsal;

namespace Rekey.Build.Tests.SandboxRehearsal;

/// <summary>The rehearsal's proof table as files: rehearsal.md (whole tables, Markdig-parsable) and rehearsal.json (its fields).</summary>
public sealed class RehearsalProofTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"rekey-proof-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static RehearsalProof Proof() => new(
    [
        RehearsalProof.Row(
            new WriteAudit("orders", 120, 80, 40, [], []) { Strategy = "blue-green", Outage = TimeSpan.FromSeconds(61), StartToSwitchover = TimeSpan.FromMinutes(38) },
            130),
        RehearsalProof.Row(
            new WriteAudit("inventory", 90, 50, 38, ["w-17 | `x`", "w-18"], ["w-77"]) { Strategy = "restore-swap", Outage = TimeSpan.FromMinutes(21.5) },
            95),
        RehearsalProof.Row(new WriteAudit("events", 0, 0, 0, [], []), 0),
    ]);

    [Fact]
    public void The_proof_markdown_is_one_whole_table_with_a_row_per_cluster_and_the_lost_writes_in_a_fenced_block_below()
    {
        var (_, markdown) = Proof().WriteTo(_folder);
        var text = File.ReadAllText(markdown);

        var table = Assert.Single(WholeMarkdown.Check(text));
        Assert.Equal(RehearsalProof.Headers, table[0]);
        Assert.Equal(4, table.Count);
        Assert.Equal(["orders", "blue-green", "1 minute, 1 second", "38 minutes", "130", "120", "80", "40", "0", "0", "none lost", "aws/rds", "model", "120", "— (model)"], table[1]);
        Assert.Equal("inventory", table[2][0]);
        Assert.Equal("21 minutes, 30 seconds", table[2][2]);
        Assert.Equal("writes lost", table[2][10]);

        // A cluster whose outage was not measured says so; it is never shown as no outage.
        Assert.Equal("not measured", table[3][2]);

        var lost = Assert.Single(WholeMarkdown.FencedBlocks(text));
        Assert.Contains("lost: w-17 | `x`", lost, StringComparison.Ordinal);
        Assert.Contains("old after switch: w-77", lost, StringComparison.Ordinal);
        Assert.Contains("3 writes were lost or reached an old cluster after the switch", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_proof_json_carries_the_format_version_rekeys_version_the_verdict_and_each_clusters_figures()
    {
        var (json, _) = Proof().WriteTo(_folder);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(RehearsalProof.CurrentFormatVersion, root.GetProperty("formatVersion").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("version").GetProperty("version").GetString()));
        Assert.False(root.GetProperty("passed").GetBoolean());

        var clusters = root.GetProperty("clusters").EnumerateArray().ToList();
        Assert.Equal(["orders", "inventory", "events"], clusters.Select(c => c.GetProperty("cluster").GetString()));
        var orders = clusters[0];
        Assert.Equal("blue-green", orders.GetProperty("strategy").GetString());
        Assert.Equal(61, orders.GetProperty("outageSeconds").GetDouble());
        Assert.Equal(38 * 60, orders.GetProperty("startToSwitchoverSeconds").GetDouble());
        Assert.Equal(130, orders.GetProperty("writes").GetInt64());
        Assert.Equal(120, orders.GetProperty("acknowledged").GetInt32());
        Assert.Equal(80, orders.GetProperty("acknowledgedByOldBeforeSwitch").GetInt32());
        Assert.Equal(40, orders.GetProperty("acknowledgedByNew").GetInt32());
        Assert.True(orders.GetProperty("passed").GetBoolean());
        Assert.Equal("aws/rds", orders.GetProperty("keyBefore").GetString());
        Assert.Equal(["w-17 | `x`", "w-18"], clusters[1].GetProperty("lostBeforeSwitch").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["w-77"], clusters[1].GetProperty("oldAfterSwitch").EnumerateArray().Select(e => e.GetString()));

        // Not measured is absent, never zero.
        Assert.False(clusters[2].TryGetProperty("outageSeconds", out _));
    }
}
