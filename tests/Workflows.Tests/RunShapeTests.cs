namespace Rekey.Workflows.Tests;

/// <summary>One run per cluster, bounded jobs, and reports kept.</summary>
public sealed class RunShapeTests
{
    public static TheoryData<string> Workflows => new(Workflow.FileNames);

    [Fact]
    public void A_dispatch_waits_for_any_run_on_the_same_cluster_in_the_same_region_and_never_cancels_it()
    {
        var concurrency = Workflow.Mapping(Workflow.Load("rekey.yml").Root, "concurrency");

        Assert.Equal("rekey-${{ inputs.environment }}-${{ inputs.region }}-${{ inputs.cluster }}", Workflow.Text(concurrency, "group"));
        Assert.Equal("false", Workflow.Text(concurrency, "cancel-in-progress"));
    }

    [Fact]
    public void A_fleet_cutover_leg_shares_the_single_runs_concurrency_group()
    {
        var cutover = Workflow.Load("rekey-fleet.yml").Job("cutover");

        Assert.Equal("rekey-${{ matrix.environment }}-${{ matrix.region }}-${{ matrix.cluster }}", Workflow.Text(cutover.Concurrency, "group"));
        Assert.Equal("false", Workflow.Text(cutover.Concurrency, "cancel-in-progress"));
    }

    [Fact]
    public void Every_job_of_a_single_run_acts_in_the_region_its_concurrency_group_names()
    {
        var workflow = Workflow.Load("rekey.yml");

        foreach (var job in workflow.Jobs.Where(j => j.AssumesRole))
        {
            Assert.Equal("${{ inputs.region }}", job.EnvValue("AWS_REGION"));
            Assert.All(job.RoleSteps, s => Assert.Equal("${{ inputs.region }}", s.With["aws-region"]));
        }
    }

    [Fact]
    public void The_job_action_passes_on_each_output_its_build_step_writes()
    {
        var action = CompositeAction.Load("./.github/actions/rekey-job");
        var build = action.StepNodes.Single(s => Workflow.Text(s, "id") == "build");

        Assert.Equal(["exit-code", "plan-json", "report-json", "report-markdown", "run-id"], action.Outputs.Keys.Order(StringComparer.Ordinal));
        Assert.All(action.Outputs, o => Assert.Equal($"${{{{ steps.build.outputs.{o.Key} }}}}", o.Value));
        Assert.Contains(">> \"$GITHUB_OUTPUT\"", Workflow.Text(build, "run"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_has_a_timeout(string fileName)
    {
        foreach (var job in Workflow.Load(fileName).Jobs)
        {
            Assert.True(int.TryParse(job.TimeoutMinutes, out var minutes) && minutes is > 0 and <= 360, $"{job}: timeout-minutes is '{job.TimeoutMinutes}'.");
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_artifact_upload_sets_a_retention_period(string fileName)
    {
        var uploads = Workflow.Load(fileName).Jobs.SelectMany(j => j.Steps).Where(s => s.Uses?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);

        foreach (var upload in uploads)
        {
            Assert.True(int.TryParse(upload.With.GetValueOrDefault("retention-days"), out var days) && days > 0, $"{upload} keeps its artifact for the default period.");
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_that_runs_the_build_keeps_its_reports_even_when_it_fails(string fileName)
    {
        foreach (var job in Workflow.Load(fileName).Jobs.Where(j => j.BuildCalls.Any(c => c.Targets.Any(t => t != "Inventory"))))
        {
            // The job action's upload of the reports; a plan job also keeps its plan for the gated job, on its own.
            var upload = job.Steps.SingleOrDefault(s => s.Uses?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true && s.Caller is not null);
            Assert.False(upload is null, $"{job} uploads no report.");
            Assert.Equal("always()", Workflow.Text(upload!.Node, "if"));
            Assert.Contains("artifacts/*-report.json", upload.With["path"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_checks_the_repository_out_before_it_uses_a_local_action(string fileName)
    {
        foreach (var job in Workflow.Load(fileName).Jobs)
        {
            var steps = job.OwnSteps.ToList();
            var firstLocal = steps.FindIndex(s => CompositeAction.IsLocal(s.Uses));
            if (firstLocal < 0)
            {
                continue;
            }

            var checkout = steps.FindIndex(s => s.Uses?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true);
            Assert.True(checkout >= 0 && checkout < firstLocal, $"{job} uses {steps[firstLocal].Uses} before the repository is checked out.");
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_checkout_leaves_no_git_credentials_on_the_runner(string fileName)
    {
        foreach (var job in Workflow.Load(fileName).Jobs)
        {
            foreach (var checkout in job.OwnSteps.Where(s => s.Uses?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true))
            {
                Assert.True(checkout.With.GetValueOrDefault("persist-credentials") == "false", $"{checkout} keeps the job's token in the checkout's git config.");
            }
        }
    }

    [Fact]
    public void The_fleets_inventory_artifacts_are_named_per_attempt_so_a_re_run_of_failed_jobs_can_upload_again()
    {
        var inventory = Workflow.Load("rekey-fleet.yml").Jobs.SelectMany(j => j.OwnSteps).Single(s => s.With.ContainsKey("artifact-name") && s.With["artifact-name"].StartsWith("inventory-", StringComparison.Ordinal));

        Assert.Equal("inventory-${{ github.run_attempt }}-${{ matrix.environment }}", inventory.With["artifact-name"]);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_that_assumes_a_role_does_it_through_the_shared_composite_action(string fileName)
    {
        foreach (var job in Workflow.Load(fileName).Jobs)
        {
            // The job's own steps assume nothing and run no build: the composite action does both, in that order.
            Assert.DoesNotContain(job.OwnSteps, s => s.Uses?.StartsWith(WorkflowJob.ConfigureAwsCredentials + "@", StringComparison.Ordinal) == true);
            Assert.DoesNotContain(job.OwnSteps, s => s.Run?.Contains("build.sh", StringComparison.Ordinal) == true);
            if (job.AssumesRole)
            {
                var steps = job.Steps.Select(s => s.ToString()).ToList();
                var role = steps.IndexOf(job.RoleSteps[0].ToString());
                var build = steps.IndexOf(job.BuildCalls[0].Step.ToString());
                Assert.True(role >= 0 && role < build, $"{job} runs the build (step {build}) before it assumes its role (step {role}).");
                Assert.All(job.RoleSteps.Concat(job.BuildCalls.Select(c => c.Step)), s => Assert.Equal("./.github/actions/rekey-job", s.Caller?.Uses));
            }
        }
    }

    [Fact]
    public void Fleet_legs_run_a_bounded_number_at_a_time_over_the_inventory()
    {
        var fleet = Workflow.Load("rekey-fleet.yml");

        foreach (var id in new[] { "plan", "cutover" })
        {
            var strategy = fleet.Job(id).Strategy;
            Assert.Equal("${{ inputs.max-parallel }}", Workflow.Text(strategy, "max-parallel"));
            Assert.Equal("false", Workflow.Text(strategy, "fail-fast"));
            Assert.Equal("${{ fromJSON(needs.clusters.outputs.clusters) }}", Workflow.Text(Workflow.Mapping(strategy, "matrix"), "include"));
        }

        Assert.Equal(["Inventory"], fleet.Job("inventory").BuildCalls.Single().Targets);
    }
}
