namespace Rekey.Workflows.Tests;

/// <summary>OIDC tokens only where a role is assumed, and nothing more than reading the repository.</summary>
public sealed class PermissionTests
{
    public static TheoryData<string> Workflows => new(Workflow.FileNames);

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Id_token_is_writable_exactly_in_the_jobs_that_assume_a_role(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        foreach (var job in workflow.Jobs)
        {
            Assert.True(
                job.CanWriteIdToken == job.AssumesRole,
                job.AssumesRole ? $"{job} assumes a role without id-token: write." : $"{job} can write an id-token but assumes no role.");
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void The_workflow_grants_no_job_an_id_token_by_default(string fileName)
    {
        var permissions = Workflow.Scalars(Workflow.Mapping(Workflow.Load(fileName).Root, "permissions"));

        Assert.Equal("read", permissions.GetValueOrDefault("contents"));
        Assert.False(permissions.ContainsKey("id-token"), $"{fileName} sets id-token for every job.");
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Jobs_that_set_permissions_only_read_the_repository(string fileName)
    {
        foreach (var job in Workflow.Load(fileName).Jobs)
        {
            var writes = job.EffectivePermissions.Where(p => p.Value == "write" && p.Key != "id-token").Select(p => p.Key).ToList();
            Assert.True(writes.Count == 0, $"{job} may write: {string.Join(", ", writes)}");
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Roles_come_from_environment_variables_and_sessions_are_named_after_the_run(string fileName)
    {
        foreach (var step in Workflow.Load(fileName).Jobs.SelectMany(j => j.RoleSteps))
        {
            Assert.Matches(@"^\$\{\{ vars\.REKEY_[A-Z_]+_ROLE_ARN \}\}$", step.With["role-to-assume"]);
            Assert.Contains("${{ github.run_id }}", step.With["role-session-name"], StringComparison.Ordinal);
            Assert.False(step.With.ContainsKey("aws-access-key-id"), $"{step} uses a long-term access key.");
        }
    }
}
