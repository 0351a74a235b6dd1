namespace Rekey.Workflows.Tests;

/// <summary>Nothing changes AWS before a reviewer approved it, and only with the cluster confirmed.</summary>
public sealed class ApprovalGateTests
{
    public static TheoryData<string> Workflows => new(Workflow.FileNames);

    private static readonly string[] RekeyWorkflows = ["rekey.yml", "rekey-fleet.yml"];

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_job_that_changes_AWS_runs_in_an_approval_environment_after_the_plan(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        foreach (var job in workflow.Jobs.Where(j => j.Mutates))
        {
            Assert.False(job.Environment is null, $"{job} changes AWS but names no environment, so no reviewer approves it.");
            Assert.False(job.Environment!.EndsWith("-plan", StringComparison.Ordinal), $"{job} changes AWS in the read-only environment '{job.Environment}'.");
            Assert.True(job.Needs.Contains("plan"), $"{job} changes AWS without needing the plan job (needs: {string.Join(", ", job.Needs)}).");
            Assert.Equal("plan", workflow.Job("plan").Id);
        }
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
    [InlineData("backup", "Backup")]
    [InlineData("rollback", "Rollback")]
    [InlineData("cleanup", "Cleanup")]
    public void Each_mutating_phase_has_a_job_that_runs_its_target_with_the_migration_role(string phase, string target)
    {
        var workflow = Workflow.Load("rekey.yml");
        Assert.Contains(phase, Workflow.AllScalars(workflow.DispatchInputs["phase"]));

        var job = workflow.Job(phase);

        Assert.Equal($"inputs.phase == '{phase}'", job.Condition);
        if (BuildTasks.Names.Contains(target))
        {
            Assert.True(job.Mutates, $"The build does not mark {target} (or a step it runs) as changing AWS.");
        }

        Assert.Equal("${{ inputs.environment }}", job.Environment);
        Assert.Equal([[target]], job.BuildCalls.Select(c => c.Targets));
        Assert.Equal("${{ vars.REKEY_MIGRATION_ROLE_ARN }}", job.RoleSteps[0].With["role-to-assume"]);
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
            var script = job.BuildCalls.Single().Step.Run!;
            Assert.Contains("if [ \"$DRY_RUN\" = \"true\" ]; then dry_run=(--dryrun); fi", script, StringComparison.Ordinal);
            Assert.Contains("\"${dry_run[@]}\"", job.BuildCalls.Single().Line, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> RekeyWorkflowNames => new(RekeyWorkflows);
}
