using System.Diagnostics;

namespace Rekey.Build.Tests.SandboxRehearsal;

/// <summary>
/// The rehearsal as a CI log sees it: a separate process whose output goes to a file, not a terminal. On the model, whose
/// Blue/Green leaves the sequences to the operator (RealEngineRehearsalTests runs the real engine).
/// </summary>
public sealed partial class RedirectedRehearsalTests
{
    [System.Text.RegularExpressions.GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial System.Text.RegularExpressions.Regex Ansi();

    [Fact]
    public async Task A_redirected_rehearsal_keeps_every_line_and_table_row_whole_and_opens_one_group_at_a_time()
    {
        var log = Path.Combine(Path.GetTempPath(), $"rekey-rehearsal-{Guid.NewGuid():N}.txt");
        var summary = Path.Combine(Path.GetTempPath(), $"rekey-rehearsal-summary-{Guid.NewGuid():N}.md");
        try
        {
            // Through a shell so stdout is a file, as with `./build.sh --target=Rehearse > log.txt`.
            var build = Path.Combine(AppContext.BaseDirectory, "Build.dll");
            var start = new ProcessStartInfo("bash", ["-c", "exec dotnet \"$0\" --target=Rehearse --data-plane=model > \"$1\" 2>&1", build, log])
            {
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.Environment["GITHUB_ACTIONS"] = "true";
            start.Environment["GITHUB_STEP_SUMMARY"] = summary;

            // The proof's files, written anew by this run.
            var proofMarkdown = Path.Combine(AppContext.BaseDirectory, "artifacts", "rehearsal.md");
            var proofJson = Path.Combine(AppContext.BaseDirectory, "artifacts", "rehearsal.json");
            Directory.CreateDirectory(Path.GetDirectoryName(proofMarkdown)!);
            File.Delete(proofMarkdown);
            File.Delete(proofJson);

            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await process.WaitForExitAsync(timeout.Token);
            // Spectre colours a GitHub Actions log (its viewer shows ANSI colours); the text is what matters here.
            var lines = (await File.ReadAllLinesAsync(log)).Select(l => Ansi().Replace(l, string.Empty)).ToList();
            Assert.True(process.ExitCode == 0, string.Join(Environment.NewLine, lines));

            // Every printed command is one line: a wrapped one would leave an argument alone on the next line.
            var commands = lines.Where(l => l.StartsWith("./build.sh ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(commands);
            Assert.All(commands, c => Assert.Contains("--target=", c, StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("--", StringComparison.Ordinal));

            // The headline table: one line per cluster, each cell whole.
            var rows = lines.Where(l => l.StartsWith('│')).ToList();
            var header = Assert.Single(rows, r => r.Contains("Cluster", StringComparison.Ordinal));
            Assert.Contains("│ Write outage (AWS time) │", header, StringComparison.Ordinal);
            Assert.Contains("│ Acked by old before switch │", header, StringComparison.Ordinal);
            Assert.Single(rows, r => r.StartsWith("│ orders ", StringComparison.Ordinal) && r.Contains("none lost", StringComparison.Ordinal));
            Assert.Single(rows, r => r.StartsWith("│ inventory ", StringComparison.Ordinal) && r.Contains("none lost", StringComparison.Ordinal));
            Assert.Equal(4, rows.Count);
            // Both strategies in one rehearsal: the PostgreSQL sample by Blue/Green, the MySQL sample by restore-swap.
            Assert.Matches(@"│ orders +│ blue-green +│ \d+ (hour|minute|second)[a-z0-9, ]* +│ \d+ (hour|minute|second)[a-z0-9, ]* +│", rows.Single(r => r.StartsWith("│ orders ", StringComparison.Ordinal)));
            Assert.Matches(@"│ inventory +│ restore-swap +│ \d+ (hour|minute|second)[a-z0-9, ]* +│ — +│", rows.Single(r => r.StartsWith("│ inventory ", StringComparison.Ordinal)));

            // The third sample, created without a key: on an AWS owned key (sse-rds), moved by auto.
            Assert.Single(rows, r => r.StartsWith("│ events ", StringComparison.Ordinal) && r.Contains("none lost", StringComparison.Ordinal) && r.Contains("AWS owned (sse-rds)", StringComparison.Ordinal));
            Assert.Matches(@"│ events +│ blue-green +│", rows.Single(r => r.StartsWith("│ events ", StringComparison.Ordinal)));

            // The same table kept as files: one whole Markdown table, a row per cluster, and the JSON's verdict.
            var proof = Assert.Single(Rekey.Tests.Reporting.WholeMarkdown.Check(await File.ReadAllTextAsync(proofMarkdown)));
            Assert.Equal(["orders", "inventory", "events"], proof.Skip(1).Select(r => r[0]));
            Assert.All(proof.Skip(1), r => Assert.Equal("none lost", r[10]));
            using (var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(proofJson)))
            {
                Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
                Assert.Equal(3, json.RootElement.GetProperty("clusters").GetArrayLength());
            }

            // And in the job summary, after the runs' own reports, every table of it whole.
            var summaryText = await File.ReadAllTextAsync(summary);
            Assert.Contains("## Rehearsal: the application's writes", summaryText, StringComparison.Ordinal);
            Assert.Contains(Rekey.Tests.Reporting.WholeMarkdown.Check(summaryText), t => t[0].SequenceEqual(Rekey.Build.SandboxRehearsal.RehearsalProof.Headers) && t.Count == 4);

            // The Plan of the MySQL sample ranks binary logging first (one reboot) above restore-swap, which auto takes.
            Assert.Contains(lines, l => l.Contains("Way out 1: Enable binary logging (binlog_format=ROW) first", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("Way out 2: Restore-swap", StringComparison.Ordinal) && l.Contains("(chosen)", StringComparison.Ordinal));

            // GitHub's log does not nest groups.
            var depth = 0;
            foreach (var line in lines)
            {
                if (line.StartsWith("::group::", StringComparison.Ordinal))
                {
                    depth++;
                    Assert.Equal(1, depth);
                }
                else if (line == "::endgroup::")
                {
                    depth--;
                    Assert.Equal(0, depth);
                }
            }

            Assert.Contains("::group::Rehearse", lines);
            Assert.Equal(0, depth);

            // Each cutover leaves a notice with its outage on the run's page; nothing failed, so no error annotation.
            // The restore-swap cutover leaves a notice with its outage; the Blue/Green one of Aurora PostgreSQL stops after the
            // switchover until the operator has advanced the sequences, and VerifyBlueGreen then finishes it.
            Assert.Single(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^::notice title=Cutover of inventory::Cutover of inventory succeeded; write outage [0-9a-z, ]+ on AWS's clock\.$"));
            Assert.Single(lines, l => l.StartsWith("::notice title=VerifyBlueGreen of orders::VerifyBlueGreen of orders succeeded", StringComparison.Ordinal));
            Assert.Single(lines, l => l.StartsWith("::notice title=VerifyBlueGreen of events::VerifyBlueGreen of events succeeded", StringComparison.Ordinal));

            // The only errors are the stops the rehearsal shows on purpose: Preflight of a Terraform plan written too early, and
            // VerifyBlueGreen asking for the sequences after the switchover (both Aurora PostgreSQL samples).
            var errors = lines.Where(l => l.StartsWith("::error", StringComparison.Ordinal)).ToList();
            Assert.Equal(5, errors.Count);
            Assert.Equal(3, errors.Count(e => e.Contains("Terraform would replace aws_rds_cluster.", StringComparison.Ordinal)));
            Assert.Equal(2, errors.Count(e => e.StartsWith("::error title=VerifyBlueGreen failed::", StringComparison.Ordinal) && e.Contains("Sequences are not replicated", StringComparison.Ordinal)));
            Assert.Equal(3, lines.Count(l => l.StartsWith("Refused as expected (exit code 3)", StringComparison.Ordinal)));

            // The dress rehearsal ran before each Plan, which quotes what it measured.
            Assert.Equal(3, lines.Count(l => l.StartsWith("Dress rehearsal of ", StringComparison.Ordinal)));
            Assert.Equal(3, lines.Count(l => l.StartsWith("Measured by the dress rehearsal of ", StringComparison.Ordinal)));
            Assert.Equal(3, lines.Count(l => l.StartsWith("Terraform: the Terraform plan ", StringComparison.Ordinal) && l.Contains("replaces and deletes none of", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(log);
            File.Delete(summary);
        }
    }
}
