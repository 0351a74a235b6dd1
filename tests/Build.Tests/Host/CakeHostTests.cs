namespace Rekey.Build.Tests.Host;

public sealed class CakeHostTests
{
    private static readonly string[] TaskBodies =
        ["Fetch", "Transform", "Audit", "Store", "Optional", "AfterOptional", "Explode", "AfterExplode", "AfterExplodeHandled"];

    private static Task<HostRun> Run(params string[] args) => HostRun.RunAsync(HostRun.SampleHost(), args);

    private static IEnumerable<string> Bodies(HostRun run) => run.Journal.Where(e => TaskBodies.Contains(e));

    [Fact]
    public async Task Dependencies_run_first_in_order_including_reverse_dependencies()
    {
        var run = await Run("--target=Store");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Fetch", "Transform", "Audit", "Store"], Bodies(run));
    }

    [Fact]
    public async Task Lifetime_and_task_lifetime_hooks_surround_the_run_and_each_task()
    {
        var run = await Run("--target=Transform");

        Assert.Equal(
            ["Setup: Fetch,Transform", "Before Fetch", "Fetch", "After Fetch", "Before Transform", "Transform", "After Transform", "Teardown: succeeded"],
            run.Journal);
    }

    [Fact]
    public async Task Exclusive_runs_the_target_without_its_dependencies()
    {
        var run = await Run("--target=Store", "--exclusive");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Store"], Bodies(run));
    }

    [Fact]
    public async Task Several_targets_share_one_dependency_graph()
    {
        var run = await Run("--target=Transform", "--target=Store");

        Assert.Equal(0, run.ExitCode);
        var bodies = Bodies(run).ToList();
        Assert.Equal(["Audit", "Fetch", "Store", "Transform"], bodies.Order(StringComparer.Ordinal));
        Assert.True(bodies.IndexOf("Fetch") < bodies.IndexOf("Transform") && bodies.IndexOf("Transform") < bodies.IndexOf("Store"));
        Assert.True(bodies.IndexOf("Audit") < bodies.IndexOf("Store"));
    }

    [Fact]
    public async Task Dry_run_lists_the_tasks_in_order_and_runs_no_task_body()
    {
        var run = await Run("--target=Store", "--dryrun");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(Bodies(run));
        var fetch = run.Output.IndexOf("Fetch", StringComparison.Ordinal);
        var store = run.Output.IndexOf("Store", fetch + 1, StringComparison.Ordinal);
        Assert.True(fetch >= 0 && store > fetch, run.Output);
        Assert.Contains("No tasks were actually executed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_task_stops_its_dependents_and_fails_the_run()
    {
        var run = await Run("--target=AfterExplode");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["Explode"], Bodies(run));
        Assert.Contains("Explode.Finally", run.Journal);
        Assert.Contains("the restore ended in state failed", run.Output, StringComparison.Ordinal);
        Assert.Contains("Teardown: failed", run.Journal);
    }

    [Fact]
    public async Task A_task_whose_error_handler_returns_has_handled_its_failure_and_the_run_goes_on_and_succeeds()
    {
        var run = await Run("--target=AfterExplodeHandled");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("ExplodeHandled.OnError: the writer never became available", run.Journal);
        Assert.Contains("AfterExplodeHandled", run.Journal);
        Assert.Contains("Teardown: succeeded", run.Journal);
    }

    [Fact]
    public async Task A_task_whose_error_handler_rethrows_fails_the_run_and_stops_its_dependents()
    {
        var run = await Run("--target=AfterExplodeRethrown");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("ExplodeRethrown.OnError: the copy job failed", run.Journal);
        Assert.DoesNotContain("AfterExplodeRethrown", run.Journal);
        Assert.Contains("the copy job failed", run.Output, StringComparison.Ordinal);
        Assert.Contains("Teardown: failed", run.Journal);
    }

    [Fact]
    public async Task A_task_marked_ContinueOnError_fails_alone_and_its_dependents_still_run()
    {
        var run = await Run("--target=AfterExplodeContinued");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["ExplodeContinued", "AfterExplodeContinued"], run.Journal.Where(e => e.StartsWith("ExplodeContinued", StringComparison.Ordinal) || e.StartsWith("AfterExplodeContinued", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_skipped_task_reports_its_reason_and_its_dependents_still_run()
    {
        var run = await Run("--target=AfterOptional");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["AfterOptional"], Bodies(run));
        Assert.Contains("Skipping Optional: nothing to do for this cluster", run.Output, StringComparison.Ordinal);
        Assert.Contains("After Optional (skipped)", run.Journal);
    }

    [Fact]
    public async Task The_task_report_ends_every_run_with_each_tasks_status()
    {
        var run = await Run("--target=AfterOptional");

        var report = run.Output[run.Output.LastIndexOf("Task", StringComparison.Ordinal)..];
        Assert.Contains("Duration", report, StringComparison.Ordinal);
        Assert.Contains("Optional", report, StringComparison.Ordinal);
        Assert.Contains("Skipped", report, StringComparison.Ordinal);
        Assert.Contains("AfterOptional", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_marks_a_failed_task()
    {
        var run = await Run("--target=Explode");

        Assert.Contains("Failed", run.Output[run.Output.LastIndexOf("Task", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_target_fails_with_the_list_of_targets()
    {
        var run = await Run("--target=Restorre");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Journal);
        var output = string.Join(' ', run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Unknown target 'Restorre'. The targets are: AfterExplode, AfterExplodeContinued, AfterExplodeHandled, AfterExplodeRethrown, AfterOptional, Audit, Explode, ExplodeContinued, ExplodeHandled, ExplodeRethrown, Fetch, Optional, Store, Transform.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_target_and_no_default_task_fails_with_the_list_of_targets()
    {
        var run = await Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("No target was given. Give one with --target=NAME", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Description_lists_every_task_with_its_description()
    {
        var run = await Run("--description");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Journal);
        Assert.Contains("First in the chain.", run.Output, StringComparison.Ordinal);
        Assert.Contains("Last in the chain.", run.Output, StringComparison.Ordinal);
        Assert.Contains("ExplodeHandled", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tree_draws_the_dependency_tree()
    {
        var run = await Run("--tree");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Journal);
        var store = run.Output.IndexOf("Store", StringComparison.Ordinal);
        Assert.True(store >= 0 && run.Output.IndexOf("Transform", store, StringComparison.Ordinal) > store, run.Output);
    }

    [Fact]
    public async Task A_malformed_engine_switch_fails_with_a_message()
    {
        var run = await Run("--target=Store", "--verbosity=loud");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Journal);
        Assert.Contains("loud", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_product_and_engine_versions()
    {
        var run = await Run("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Cake engine 7.0.0", run.Output, StringComparison.Ordinal);
    }
}
