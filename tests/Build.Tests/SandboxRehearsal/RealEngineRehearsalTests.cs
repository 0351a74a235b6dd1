using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Rekey.Build.Tests.SandboxRehearsal;

/// <summary>One run of <c>./build.sh --target=Rehearse --data-plane=postgres</c> in its own process and artifacts folder.</summary>
public sealed class RealEngineRehearsal : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"rekey-real-rehearsal-{Guid.NewGuid():N}");

    public string Log { get; private set; } = string.Empty;

    public int ExitCode { get; private set; }

    public string ProofJson => Path.Combine(_folder, "rehearsal.json");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var build = Path.Combine(AppContext.BaseDirectory, "Build.dll");
        var start = new ProcessStartInfo("dotnet", [build, "--target=Rehearse", "--data-plane=postgres", $"--artifacts={_folder}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        Log = await output + await error;
        ExitCode = process.ExitCode;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Rehearse on real PostgreSQL servers: its proof counts rows, and Rekey advances the sequences through the RDS Data API.</summary>
public sealed class RealEngineRehearsalTests(RealEngineRehearsal rehearsal) : IClassFixture<RealEngineRehearsal>
{
    [Fact]
    public void The_postgresql_samples_rows_come_from_the_real_engine_every_acknowledged_row_is_in_the_new_cluster_and_no_insert_fails_after_the_switchover()
    {
        Assert.True(rehearsal.ExitCode == 0, rehearsal.Log);
        var first = rehearsal.Log.Split('\n').First(l => l.StartsWith("Data plane: ", StringComparison.Ordinal));
        Assert.StartsWith("Data plane: postgres: the Aurora PostgreSQL clusters orders, events are real PostgreSQL servers", first, StringComparison.Ordinal);

        using var proof = JsonDocument.Parse(File.ReadAllText(rehearsal.ProofJson));
        var clusters = proof.RootElement.GetProperty("clusters").EnumerateArray().ToDictionary(c => c.GetProperty("cluster").GetString()!);
        foreach (var id in (string[])["orders", "events"])
        {
            var row = clusters[id];
            Assert.Equal("postgres", row.GetProperty("dataPlane").GetString());
            Assert.Equal("blue-green", row.GetProperty("strategy").GetString());
            var acknowledged = row.GetProperty("acknowledged").GetInt32();
            Assert.True(acknowledged > 0, $"{id} acknowledged no row");
            Assert.Equal(acknowledged, row.GetProperty("presentInNew").GetInt32());
            Assert.True(row.GetProperty("acknowledgedByNew").GetInt32() > 0, $"{id}: the new cluster acknowledged no row after the switchover");
            Assert.Equal(0, row.GetProperty("oldAfterSwitch").GetArrayLength());
            var verdict = rehearsal.Log.Split('\n').FirstOrDefault(l => l.StartsWith(id + " on real PostgreSQL", StringComparison.Ordinal));
            Assert.True(row.GetProperty("failedAfterSwitchover").GetInt32() == 0, verdict);
        }

        // Aurora MySQL stays on the model.
        Assert.Equal("model", clusters["inventory"].GetProperty("dataPlane").GetString());

        // No stop for the sequences: Rekey advanced them itself.
        Assert.DoesNotContain("Sequences are not replicated", rehearsal.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_rehearsal_json_validates_against_the_published_schema_which_requires_failed_inserts_on_the_real_engine()
    {
        Assert.True(rehearsal.ExitCode == 0, rehearsal.Log);
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rehearsal.schema.json")));
        var text = File.ReadAllText(rehearsal.ProofJson);
        var valid = Evaluate(schema, text);
        Assert.True(valid.IsValid, JsonSerializer.Serialize(valid));

        // A real-engine row without its failed inserts is not a proof on real rows.
        var broken = JsonNode.Parse(text)!;
        var orders = broken["clusters"]!.AsArray().First(c => c!["cluster"]!.GetValue<string>() == "orders")!.AsObject();
        Assert.True(orders.Remove("failedAfterSwitchover"));
        Assert.False(Evaluate(schema, broken.ToJsonString()).IsValid);
    }

    private static EvaluationResults Evaluate(JsonSchema schema, string json)
    {
        using var document = JsonDocument.Parse(json);
        return schema.Evaluate(document.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }
}
