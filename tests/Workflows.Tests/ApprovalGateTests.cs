namespace Rekey.Workflows.Tests;

/// <summary>Nothing changes AWS before a reviewer approved it, and only with the cluster confirmed.</summary>
public sealed class ApprovalGateTests
{
    public static TheoryData<string> Workflows => new(Workflow.FileNames);

    private static readonly string[] RekeyWorkflows = ["rekey.yml", "rekey-fleet.yml"];

    /// <summary>
    /// Targets whose only changes are to a throw-away copy they create and delete (and the cluster's own rekey:
    /// tags), never the cluster's data, names or endpoints: DressRehearsal. They may run without approval,
    /// in the '-plan' environment, with a role that cannot change anything else (IamPolicies's
    /// dress rehearsal role; <see cref="The_dress_rehearsal_runs_after_the_plan_without_approval_with_its_own_role_only"/>).
    /// </summary>
    public static readonly IReadOnlySet<string> ThrowAwayCopyTargets = new HashSet<string>(StringComparer.Ordinal) { "DressRehearsal" };

    /// <summary>A job that can change the cluster itself: a call changes AWS with a target other than a throw-away copy's.</summary>
    private static bool ChangesTheCluster(WorkflowJob job) =>
        job.BuildCalls.Any(c => c.Mutates && !c.Targets.Where(BuildTasks.ChangesAws).All(ThrowAwayCopyTargets.Contains));

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_that_can_change_the_cluster_runs_in_an_approval_environment_after_the_plan(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        foreach (var job in workflow.Jobs.Where(ChangesTheCluster))
        {
            Assert.False(job.Environment is null, $"{job} changes AWS but names no environment, so no reviewer approves it.");
            Assert.False(job.Environment!.EndsWith("-plan", StringComparison.Ordinal), $"{job} changes AWS in the read-only environment '{job.Environment}'.");
            Assert.True(job.Needs.Contains("plan"), $"{job} changes AWS without needing the plan job (needs: {string.Join(", ", job.Needs)}).");
            Assert.Equal("plan", workflow.Job("plan").Id);
        }
    }

    [Theory]
    [MemberData(nameof(RekeyWorkflowFiles))]
    public void Every_cutover_or_provisioning_job_is_held_to_the_plan_json_its_plan_job_kept(string fileName)
    {
        var workflow = Workflow.Load(fileName);
        var kept = workflow.Job("plan").OwnSteps.Single(s => s.Uses?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);
        Assert.Contains("outputs.plan-json", kept.With["path"], StringComparison.Ordinal);
        var held = workflow.Jobs.Where(j => j.BuildCalls.Any(c => c.Targets.Any(t => t is "Cutover" or "ProvisionGreen"))).ToList();
        Assert.NotEmpty(held);
        foreach (var job in held)
        {
            var download = job.OwnSteps.SingleOrDefault(s => s.Uses?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true);
            Assert.False(download is null, $"{job} downloads no approved plan.");
            Assert.Equal(kept.With["name"], download!.With["name"]);
            var script = string.Join("\n", job.Steps.Select(s => s.Script ?? string.Empty));
            Assert.Contains($"for plan in {download.With["path"]}/*-plan.json", script, StringComparison.Ordinal);
            Assert.Contains("--approved-plan=\"$plan\"", script, StringComparison.Ordinal);
            Assert.Contains("\"${approved[@]}\"", script, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> RekeyWorkflowFiles => new(RekeyWorkflows);

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_that_changes_AWS_runs_after_the_plan_and_outside_the_plan_environment_unless_it_changes_only_a_throw_away_copy(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        foreach (var job in workflow.Jobs.Where(j => j.Mutates))
        {
            Assert.True(job.Needs.Contains("plan"), $"{job} changes AWS without needing the plan job.");
            if (job.Environment?.EndsWith("-plan", StringComparison.Ordinal) != false)
            {
                Assert.False(ChangesTheCluster(job), $"{job} can change the cluster without approval.");
                Assert.All(job.RoleSteps, s => Assert.Equal("${{ vars.REKEY_DRESS_REHEARSAL_ROLE_ARN }}", s.With["role-to-assume"]));
            }
        }
    }

    [Fact]
    public void The_dress_rehearsal_runs_after_the_plan_without_approval_with_its_own_role_only()
    {
        var workflow = Workflow.Load("rekey.yml");
        Assert.Contains("dress-rehearsal", Workflow.AllScalars(workflow.DispatchInputs["phase"]));

        var job = workflow.Job("dress-rehearsal");

        Assert.Equal("inputs.phase == 'dress-rehearsal'", job.Condition);
        Assert.Equal(["plan"], job.Needs);
        Assert.Equal("${{ inputs.environment }}-plan", job.Environment);
        Assert.True(job.Mutates, "The build does not mark DressRehearsal as changing AWS.");
        Assert.False(ChangesTheCluster(job));
        Assert.Equal([["DressRehearsal"]], job.BuildCalls.Select(c => c.Targets));
        Assert.Equal("\"$REKEY_CLUSTER\"", job.BuildCalls.Single().Confirm);
        Assert.Equal(["${{ vars.REKEY_DRESS_REHEARSAL_ROLE_ARN }}"], job.RoleSteps.Select(s => s.With["role-to-assume"]));

        // No other job of any workflow runs with the dress rehearsal's role, and it runs nothing else.
        var others = Workflow.FileNames.Select(Workflow.Load).SelectMany(w => w.Jobs)
            .Where(j => j.ToString() != job.ToString() && j.RoleSteps.Any(s => s.With["role-to-assume"].Contains("DRESS_REHEARSAL", StringComparison.Ordinal)))
            .Select(j => j.ToString())
            .ToList();
        Assert.Empty(others);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_that_changes_AWS_confirms_the_cluster_it_was_dispatched_for(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        foreach (var call in workflow.Jobs.SelectMany(j => j.BuildCalls).Where(c => c.Mutates))
        {
            Assert.False(call.Confirm is null, $"{call.Step} changes AWS without --confirm: {call.Line}");
            var variable = call.Confirm!.Trim('"').TrimStart('$').Trim('{', '}');
            var source = call.Step.Job.EnvValue(variable);
            Assert.True(
                source is "${{ inputs.cluster }}" or "${{ matrix.cluster }}",
                $"{call.Step} confirms {call.Confirm}, which is '{source}', not the cluster input.");
            Assert.Equal(source, call.Step.Job.EnvValue("REKEY_CLUSTER"));
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Read_only_jobs_never_pass_a_confirmation(string fileName)
    {
        // The confirmation is what the approval gate grants: a job without the gate must not carry it.
        var confirmed = Workflow.Load(fileName).Jobs
            .SelectMany(j => j.BuildCalls)
            .Where(c => c.ReadsOnly && c.Confirm is not null)
            .Select(c => c.Step.ToString())
            .ToList();

        Assert.Empty(confirmed);
    }

    [Fact]
    public void The_plan_job_runs_without_approval_in_the_read_only_environment_with_the_plan_role()
    {
        var plan = Workflow.Load("rekey.yml").Job("plan");

        Assert.Equal("${{ inputs.environment }}-plan", plan.Environment);
        Assert.Empty(plan.Needs);
        Assert.False(plan.Mutates);
        Assert.Equal(["${{ vars.REKEY_PLAN_ROLE_ARN }}"], plan.RoleSteps.Select(s => s.With["role-to-assume"]));
        Assert.Equal(["Preflight", "Plan"], plan.BuildCalls.First().Targets);
    }

    [Theory]
    [InlineData("cutover", "Cutover")]
    [InlineData("provision", "ProvisionGreen")]
    [InlineData("backup", "Backup")]
    [InlineData("rollback", "Rollback")]
    [InlineData("cleanup", "Cleanup")]
    public void Each_mutating_phase_has_a_job_that_runs_its_target_with_the_migration_role(string phase, string target)
    {
        var workflow = Workflow.Load("rekey.yml");
        // Provisioning a Blue/Green green is the first half of the cutover phase.
        var dispatched = phase == "provision" ? "cutover" : phase;
        Assert.Contains(dispatched, Workflow.AllScalars(workflow.DispatchInputs["phase"]));

        var job = workflow.Job(phase);

        Assert.StartsWith($"inputs.phase == '{dispatched}'", job.Condition, StringComparison.Ordinal);
        if (BuildTasks.Names.Contains(target))
        {
            Assert.True(job.Mutates, $"The build does not mark {target} (or a step it runs) as changing AWS.");
        }

        Assert.Equal("${{ inputs.environment }}", job.Environment);
        Assert.Equal([[target]], job.BuildCalls.Select(c => c.Targets));
        Assert.Equal("${{ vars.REKEY_MIGRATION_ROLE_ARN }}", job.RoleSteps[0].With["role-to-assume"]);
    }

    [Fact]
    public void A_blue_green_cutover_provisions_the_green_behind_one_approval_and_switches_over_behind_another()
    {
        var workflow = Workflow.Load("rekey.yml");
        var provision = workflow.Job("provision");
        var cutover = workflow.Job("cutover");

        // Provision runs only when the plan chose (auto) or was told Blue/Green, and with the plan's choice.
        Assert.Equal("inputs.phase == 'cutover' && needs.plan.outputs.strategy == 'blue-green'", provision.Condition);
        Assert.Equal(["plan"], provision.Needs);
        Assert.Equal("${{ needs.plan.outputs.strategy }}", provision.EnvValue("REKEY_STRATEGY"));
        Assert.Equal("${{ steps.strategy.outputs.strategy }}", Workflow.Text(Workflow.Mapping(workflow.Job("plan").Node, "outputs"), "strategy"));

        // The switchover's job waits for the provisioning job (skipped for restore-swap) and has a gate of its own.
        Assert.Equal(["plan", "provision"], cutover.Needs);
        Assert.Equal("inputs.phase == 'cutover' && !failure() && !cancelled()", cutover.Condition);
        Assert.Equal(provision.Environment, cutover.Environment);
        Assert.Equal("${{ needs.plan.outputs.strategy || inputs.strategy }}", cutover.EnvValue("REKEY_STRATEGY"));
        Assert.Equal("${{ inputs.strategy }}", workflow.Env["REKEY_STRATEGY"]);
    }

    [Fact]
    public void The_backup_phase_chains_from_the_migration_role_into_the_backup_accounts_role()
    {
        var backup = Workflow.Load("rekey.yml").Job("backup");

        var roles = backup.RoleSteps;
        Assert.Equal(2, roles.Count);
        Assert.Equal("${{ vars.REKEY_MIGRATION_ROLE_ARN }}", roles[0].With["role-to-assume"]);
        Assert.Equal("${{ vars.REKEY_BACKUP_ROLE_ARN }}", roles[1].With["role-to-assume"]);
        Assert.Equal("true", roles[1].With.GetValueOrDefault("role-chaining"));
        // The chained credentials must not replace the migration role the build runs with.
        Assert.Equal("false", roles[1].With.GetValueOrDefault("output-env-credentials"));
        Assert.Equal("${{ vars.REKEY_BACKUP_ROLE_ARN }}", backup.EnvValue("REKEY_BACKUP_ROLE_ARN"));
    }

    [Theory]
    [MemberData(nameof(RekeyWorkflowNames))]
    public void Dry_run_reaches_every_mutating_call_as_the_dryrun_switch(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        foreach (var job in workflow.Jobs.Where(j => j.Mutates))
        {
            Assert.Equal("${{ inputs.dry-run }}", job.EnvValue("DRY_RUN"));
            var script = job.BuildCalls.Single().Step.Script!;
            Assert.Contains("if [ \"$DRY_RUN\" = \"true\" ]; then dry_run=(--dryrun); fi", script, StringComparison.Ordinal);
            Assert.Contains("\"${dry_run[@]}\"", job.BuildCalls.Single().Line, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> RekeyWorkflowNames => new(RekeyWorkflows);
}
