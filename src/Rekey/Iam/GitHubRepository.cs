using System.Text.RegularExpressions;

namespace Rekey.Iam;

/// <summary>
/// The repository whose workflows assume the roles, as GitHub's OIDC token names it in its <c>sub</c> claim:
/// by name (<c>repo:org/repo:...</c>), or by name and immutable id (<c>repo:org@ID/repo@ID:...</c>)
/// when the owner has switched its tokens to immutable subjects, which a deleted and re-created
/// repository of the same name cannot match.
/// </summary>
public sealed partial record GitHubRepository(string Owner, string Name, string? OwnerId, string? RepositoryId)
{
    public bool IsImmutable => OwnerId is not null && RepositoryId is not null;

    /// <summary>The repository part of the <c>sub</c> claim.</summary>
    public string SubjectRepository => IsImmutable ? $"{Owner}@{OwnerId}/{Name}@{RepositoryId}" : $"{Owner}/{Name}";

    /// <summary>The <c>sub</c> claim of a job that runs in the given GitHub environment (GitHub's default subject).</summary>
    public string EnvironmentSubject(string environment) => $"repo:{SubjectRepository}:environment:{environment}";

    /// <summary>
    /// The <c>sub</c> claim once the repository's OIDC subject is customized to <see cref="SubjectClaimKeys"/>:
    /// a job of this repository, in this environment, defined by this workflow file at this ref.
    /// </summary>
    public string WorkflowSubject(string environment, string workflowPath, string workflowRef) =>
        $"repo:{SubjectRepository}:environment:{environment}:job_workflow_ref:{Owner}/{Name}/{workflowPath}@{workflowRef}";

    /// <summary>The claim keys the repository's OIDC subject customization must include, in this order.</summary>
    public static readonly IReadOnlyList<string> SubjectClaimKeys = ["repo", "context", "job_workflow_ref"];

    /// <summary>Reads <c>org/repo</c> or <c>org@ID/repo@ID</c>.</summary>
    public static bool TryParse(string text, out GitHubRepository? repository)
    {
        var match = Pattern().Match(text.Trim());
        repository = match.Success
            ? new GitHubRepository(
                match.Groups["owner"].Value,
                match.Groups["name"].Value,
                match.Groups["ownerId"].Success ? match.Groups["ownerId"].Value : null,
                match.Groups["repoId"].Success ? match.Groups["repoId"].Value : null)
            : null;
        return repository is not null && (repository.OwnerId is null) == (repository.RepositoryId is null);
    }

    public override string ToString() => SubjectRepository;

    [GeneratedRegex(@"^(?<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?:@(?<ownerId>\d+))?/(?<name>[A-Za-z0-9._-]{1,100})(?:@(?<repoId>\d+))?$")]
    private static partial Regex Pattern();
}
