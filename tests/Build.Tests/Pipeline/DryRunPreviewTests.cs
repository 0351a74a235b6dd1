using System.Text.RegularExpressions;
using Rekey.Runtime;
using Rekey.Tests.Reporting;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>
/// --dryrun of a target that changes AWS is a live preview read from AWS: per step of the chosen strategy, in order, the
/// changing operations its rules declare and the names they would act on, or why it would be skipped; no change is made.
/// </summary>
public sealed class DryRunPreviewTests(AnnouncedSandbox fixture) : IClassFixture<AnnouncedSandbox>
{
    [Fact]
    public async Task A_dry_run_of_a_restore_swap_cutover_previews_each_step_with_its_operations_and_names_and_makes_no_changing_call()
    {
        var summary = Path.GetTempFileName();
        try
        {
            var before = fixture.Sandbox.Calls.Find().Count;
            var (run, calls, mutating) = await fixture.RunAsync(
                GitHubActions(summary), "--target=Cutover", "--cluster=inventory", "--kms-key=alias/preview", "--create-key", "--strategy=restore-swap", "--dryrun");

            Assert.True(run.ExitCode == ExitCodes.Succeeded, run.Output);
            Assert.Contains("rds:DescribeDBClusters", calls);
            Assert.Contains("kms:DescribeKey", calls);
            Assert.Empty(mutating);
            Assert.DoesNotContain(fixture.Sandbox.Calls.Find().Skip(before), c => c.Mutating);

            var output = OneLine(run.Output);
            Assert.Contains("Dry run of Cutover for inventory (read from AWS; nothing was changed)", output, StringComparison.Ordinal);
            Assert.Matches(@"\d+\. PrepareKey: would call [^;]*KMS CreateKey[^;]*; creates the key alias/preview if it does not exist", output);
            Assert.Matches(@"\d+\. Fence: would call [^;]*RDS ModifyDBCluster[^;]*; renames cluster inventory to inventory-old, instance inventory-", output);
            Assert.Contains("instance inventory-a to inventory-a-old", output, StringComparison.Ordinal);
            Assert.True(Regex.IsMatch(output, @"\d+\. Restore: would call [^;]*RDS RestoreDBClusterToPointInTime[^;]*; restores inventory-old at T1 or later into inventory on "), output);
            Assert.Contains("the old cluster is fenced", output, StringComparison.Ordinal);
            Assert.Matches(@"\d+\. CreateBlueGreen: skipped: this cutover uses restore-swap", output);
            Assert.Matches(@"\d+\. Preflight: reads only", output);
            Assert.DoesNotContain("Report:", output, StringComparison.Ordinal);

            // The same preview in the job summary, as one whole table.
            var markdown = await File.ReadAllTextAsync(summary);
            var table = Assert.Single(WholeMarkdown.Check(markdown));
            Assert.Equal(["#", "Step", "Would", "Changing operations", "On"], table[0]);
            Assert.Contains(table, r => r[1] == "Fence" && r[2] == "changes" && r[3].Contains("RDS ModifyDBCluster", StringComparison.Ordinal));
            Assert.Contains(table, r => r[1] == "Switchover" && r[2] == "skipped");
        }
        finally
        {
            File.Delete(summary);
        }
    }

    [Fact]
    public async Task A_dry_run_that_Preflight_would_refuse_exits_3_with_the_reason_and_still_previews_the_steps()
    {
        var (run, _, mutating) = await fixture.RunAsync("--target=Cutover", "--cluster=orders", "--kms-key=alias/absent", "--dryrun");

        Assert.True(run.ExitCode == ExitCodes.RefusedByPreflight, run.Output);
        Assert.Empty(mutating);
        var output = OneLine(run.Output);
        Assert.Contains("Preflight would refuse the cutover:", output, StringComparison.Ordinal);
        Assert.Contains("alias/absent does not exist", output, StringComparison.Ordinal);
        Assert.Matches(@"\d+\. PrepareKey: ", output);
    }

    [Fact]
    public async Task A_dry_run_of_a_target_that_changes_nothing_still_lists_the_engines_tasks_without_reading_AWS()
    {
        var (run, calls, _) = await fixture.RunAsync("--target=Plan", "--cluster=orders", "--kms-key=alias/x", "--create-key", "--dryrun");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Empty(calls);
        Assert.Contains("Performing dry run", run.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> GitHubActions(string summary) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_STEP_SUMMARY"] = summary,
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_REPOSITORY"] = "acme/db",
        ["GITHUB_RUN_ID"] = "4242",
    };

    // The console wraps long lines; a message is read as one line.
    private static string OneLine(string output) => Regex.Replace(output, @"\s+", " ");
}
