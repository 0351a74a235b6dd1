using Cake.Frosting;

namespace Rekey.Build.Tests.Host;

[TaskName("ShowSettings")]
public sealed class ShowSettingsTask(Journal journal) : FrostingTask<RekeyContext>
{
    public override void Run(RekeyContext context)
    {
        var settings = context.Settings;
        journal.Add($"cluster={settings.Cluster} region={settings.Region} key={settings.KmsKey} create-key={settings.CreateKey} suffix={settings.OldSuffix} dns={settings.DnsServer}");
    }
}

public sealed class RekeyBuildTests
{
    private static Task<HostRun> Run(params string[] args) =>
        HostRun.RunAsync(RekeyBuild.CreateHost().UseTask<ShowSettingsTask>(), args);

    [Fact]
    public async Task Arguments_in_both_spellings_reach_the_typed_context()
    {
        var run = await Run("--target=ShowSettings", "--cluster=Orders", "--region", "eu-west-1", "--kms-key=alias/rekey", "--create-key", "--dns-server", "127.0.0.1:4553");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["cluster=orders region=eu-west-1 key=alias/rekey create-key=True suffix=-old dns=127.0.0.1:4553"], run.Journal);
    }

    [Fact]
    public async Task A_malformed_argument_fails_before_any_task_runs_and_names_the_argument()
    {
        var run = await Run("--target=ShowSettings", "--cluster=orders", "--backup-account=12");

        Assert.Equal(Rekey.Runtime.ExitCodes.InvalidArguments, run.ExitCode);
        Assert.Empty(run.Journal);
        Assert.Contains("--backup-account: '12' is not an AWS account id (12 digits).", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_argument_fails_with_a_suggestion()
    {
        var run = await Run("--target=ShowSettings", "--clustr=orders");

        Assert.Equal(Rekey.Runtime.ExitCodes.InvalidArguments, run.ExitCode);
        Assert.Empty(run.Journal);
        Assert.Contains("Did you mean --cluster?", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_engine_switches_and_Rekeys_own_arguments()
    {
        var run = await Run("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--dryrun", run.Output, StringComparison.Ordinal);
        Assert.Contains("--exclusive", run.Output, StringComparison.Ordinal);
        Assert.Contains("--cluster=VALUE", run.Output, StringComparison.Ordinal);
        Assert.Contains("--create-key ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_rekeys_version_and_commit_as_reports_record_them_then_the_engines()
    {
        var run = await Run("--version");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Rekey.Reporting.RekeyVersion.Current.ToString(), lines[0]);
        Assert.Matches(@"^Rekey \d+\.\d+\.\d+ \(commit [0-9a-f]{40}\)$", lines[0]);
        Assert.StartsWith("Cake engine 7.0.0", lines[1], StringComparison.Ordinal);
    }
}
