using System.Text.Json;
using Rekey.Migration;

namespace Rekey.Tests.Migration;

public sealed class PlanTests
{
    private static Plan Plan() => new()
    {
        Cluster = "orders",
        Region = "eu-west-1",
        OldSuffix = "-old",
        CurrentKey = "arn:aws:kms:eu-west-1:111111111111:key/aws-rds",
        TargetKey = "alias/rekey-orders",
        CreatesKey = true,
        Names =
        [
            new PlannedRename("cluster", "orders", "orders-old", "new cluster orders"),
            new PlannedRename("instance", "orders-1", "orders-1-old", "new instance orders-1"),
        ],
        Steps = ["Preflight", "PrepareKey", "Fence", "Restore", "CreateInstances", "Finalize", "Verify"],
        Settings =
        [
            new PlannedSetting("cluster", "Port", "3306", Carriage.RestoreParameter),
            new PlannedSetting("cluster", "Parameters", "a|b", Carriage.ModifiedAfter),
            new PlannedSetting("instance orders-1", "DBInstanceClass", "db.r6g.large", Carriage.InstanceParameter),
            new PlannedSetting("cluster", "MasterUserSecret", null, Carriage.Manual),
        ],
        Outage = ["Rename and DNS: minutes", "Restore: tens of minutes"],
        Rollback = ["./build.sh --target=Rollback --cluster=orders --confirm=orders"],
        Warnings = ["Terraform must get the new key ARN."],
    };

    [Fact]
    public void Markdown_shows_the_keys_names_steps_in_order_settings_with_their_carriage_outage_and_rollback()
    {
        var markdown = Plan().ToMarkdown();

        Assert.Contains("## Rekey plan: `orders` in eu-west-1", markdown, StringComparison.Ordinal);
        Assert.Contains("`arn:aws:kms:eu-west-1:111111111111:key/aws-rds` → `alias/rekey-orders` (created by PrepareKey)", markdown, StringComparison.Ordinal);
        Assert.Contains("| instance | `orders-1` | `orders-1-old` | new instance orders-1 |", markdown, StringComparison.Ordinal);
        Assert.Contains("1. Preflight", markdown, StringComparison.Ordinal);
        Assert.Contains("7. Verify", markdown, StringComparison.Ordinal);
        Assert.Contains("| cluster | Port | `3306` | restore parameter |", markdown, StringComparison.Ordinal);
        Assert.Contains("| instance orders-1 | DBInstanceClass | `db.r6g.large` | per-instance parameter |", markdown, StringComparison.Ordinal);
        Assert.Contains("| cluster | MasterUserSecret | — | manual |", markdown, StringComparison.Ordinal);
        Assert.Contains("- ⚠️ Terraform must get the new key ARN.", markdown, StringComparison.Ordinal);
        Assert.Contains("- ./build.sh --target=Rollback --cluster=orders --confirm=orders", markdown, StringComparison.Ordinal);
        Assert.Contains("**restore-swap, 2 names, 4 settings carried, 0 blockers, 1 warning**", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Blocking", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_escapes_pipes_in_values_so_the_table_keeps_its_columns()
    {
        var settings = Reporting.WholeMarkdown.Check(Plan().ToMarkdown())[^1];

        Assert.Equal(["cluster", "Parameters", "a|b", "later modify (Finalize)"], settings.Single(r => r[1] == "Parameters"));
    }

    [Fact]
    public void A_plan_with_many_settings_folds_their_table_and_every_table_stays_whole()
    {
        var many = Enumerable.Range(1, 59)
            .Select(i => new PlannedSetting("cluster", $"Setting{i}", i == 7 ? "x || y `z`" : i == 8 ? "select 1\nfrom t || u" : $"v{i}", Carriage.RestoreParameter))
            .ToList();
        var markdown = (Plan() with { Settings = many }).ToMarkdown();

        var tables = Reporting.WholeMarkdown.Check(markdown);
        Assert.Equal(60, tables[^1].Count);
        Assert.Contains("<details><summary>Every setting and how it is carried (59 rows)</summary>", markdown, StringComparison.Ordinal);
        Assert.Contains(tables[^1], r => r[2] == "x || y `z`");
        Assert.Contains(tables[^1], r => r[2] == "select 1 (in full below)");
        Assert.Contains("select 1\nfrom t || u", Reporting.WholeMarkdown.FencedBlocks(markdown));
    }

    [Fact]
    public void Markdown_lists_blocks_first_when_the_cutover_cannot_start()
    {
        var markdown = (Plan() with { Blocks = ["DB cluster orders is creating; wait until it is available."] }).ToMarkdown();

        Assert.True(markdown.IndexOf("### Blocking", StringComparison.Ordinal) < markdown.IndexOf("### Names", StringComparison.Ordinal));
        Assert.Contains("- ⛔ DB cluster orders is creating; wait until it is available.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_of_a_cluster_already_on_the_key_says_there_is_nothing_to_do_and_no_more()
    {
        var markdown = (Plan() with { NothingToDo = true }).ToMarkdown();

        Assert.Contains("`orders` already uses the requested key (alias/rekey-orders); the cutover has nothing to do.", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("### Steps", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_has_camel_case_members_carriages_as_names_and_no_nulls()
    {
        using var json = JsonDocument.Parse(Plan().ToJson());
        var root = json.RootElement;

        Assert.Equal("orders", root.GetProperty("cluster").GetString());
        Assert.Equal(7, root.GetProperty("steps").GetArrayLength());
        var settings = root.GetProperty("settings").EnumerateArray().ToList();
        Assert.Equal("RestoreParameter", settings[0].GetProperty("carriage").GetString());
        Assert.False(settings[3].TryGetProperty("value", out _));
        Assert.Equal("orders-1-old", root.GetProperty("names")[1].GetProperty("duringCutover").GetString());
    }
}
