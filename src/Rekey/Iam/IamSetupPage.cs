using System.Text;

namespace Rekey.Iam;

/// <summary>The Markdown page that goes with the generated documents: what to create, in which account, and how.</summary>
public static class IamSetupPage
{
    public static string Render(IamSetupInput input, IReadOnlyList<IamRole> roles)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(roles);

        var page = new StringBuilder();
        page.AppendLine(input.Fleet
            ? $"# IAM and OIDC set-up for every cluster tagged {IamPolicies.FleetTagKey}={input.Environment}"
            : $"# IAM and OIDC set-up for {input.ClusterId} ({input.Environment})");
        page.AppendLine();
        page.AppendLine($"Account {input.Account}, Region {input.Region}, repository `{input.Repository}`.");
        page.AppendLine("Every action listed is one the pipeline calls; docs/github-setup.md explains the environments.");
        page.AppendLine();

        AppendRoles(page, input, roles);
        AppendSizes(page, roles);
        AppendOidcSubjects(page, input);
        AppendSubjectForms(page, input);
        AppendCreateCommands(page, input, roles);
        AppendWhyEachAction(page);
        return page.ToString();
    }

    /// <summary>The roles, their trust and permission documents, and the GitHub variable and environment each goes in.</summary>
    private static void AppendRoles(StringBuilder page, IamSetupInput input, IReadOnlyList<IamRole> roles)
    {
        page.AppendLine("## Roles");
        page.AppendLine();
        page.AppendLine("| Role | Account | Trust | Permissions | GitHub variable | In environment |");
        page.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var role in roles)
        {
            var policies = string.Join(", ", role.PolicyParts.Select(d => $"[{d.FileName}]({d.FileName})"));
            page.AppendLine(
                $"| `{role.Name}` | {role.Account} | [{role.Trust.FileName}]({role.Trust.FileName}) | {policies} | `{role.GitHubVariable}` = `{role.Arn}` | `{role.GitHubEnvironment}` |");
        }

        page.AppendLine();
        if (input.Fleet)
        {
            page.AppendLine(
                $"Scoped by tag: tag every cluster, instance and custom endpoint Rekey may migrate with `{IamPolicies.FleetTagKey}={input.Environment}` "
                + $"(tagged now: {string.Join(", ", input.FleetClusterIds)}).");
            page.AppendLine("Rekey carries the tag to what it creates; the policies do not name clusters, so their size does not grow with the fleet.");
            page.AppendLine();
        }
    }

    /// <summary>Each policy document's size against IAM's limits.</summary>
    private static void AppendSizes(StringBuilder page, IReadOnlyList<IamRole> roles)
    {
        page.AppendLine("## Sizes");
        page.AppendLine();
        foreach (var size in IamPolicySizes.Measure(roles))
        {
            page.AppendLine($"- {IamPolicySizes.Describe(size)}");
        }

        page.AppendLine();
    }

    /// <summary>The OIDC subject customization to make first, and the subjects the trust policies accept.</summary>
    private static void AppendOidcSubjects(StringBuilder page, IamSetupInput input)
    {
        page.AppendLine("## GitHub's OIDC subject");
        page.AppendLine();
        page.AppendLine("The trust policies accept only a job of Rekey's workflow file on its reviewed ref, in the role's environment. GitHub puts the");
        page.AppendLine("workflow in the token's `sub` only once the repository's OIDC subject is customized; make this setting first (repository admin):");
        page.AppendLine();
        page.AppendLine("```bash");
        page.AppendLine($"gh api --method PUT repos/{input.Repository.Owner}/{input.Repository.Name}/actions/oidc/customization/sub \\");
        page.AppendLine($"  --input - <<< '{{\"use_default\":false,\"include_claim_keys\":[{string.Join(",", GitHubRepository.SubjectClaimKeys.Select(k => $"\"{k}\""))}]}}'");
        page.AppendLine("```");
        page.AppendLine();
        page.AppendLine($"The trust policies accept a token only with audience `{IamPolicies.StsAudience}` and one of these `sub` (one per workflow file):");
        page.AppendLine();
        foreach (var workflow in input.WorkflowPaths)
        {
            page.AppendLine($"- plan role: `{input.Repository.WorkflowSubject(input.PlanEnvironment, workflow, input.WorkflowRef)}`");
            page.AppendLine($"- migration role: `{input.Repository.WorkflowSubject(input.Environment, workflow, input.WorkflowRef)}`");
            page.AppendLine(
                $"- dress rehearsal role: `{input.Repository.WorkflowSubject(input.PlanEnvironment, workflow, input.WorkflowRef)}` "
                + "(no approval: it can change only its throw-away copy and the cluster's `rekey:` tags)");
        }

        page.AppendLine();
    }

    /// <summary>The classic and immutable forms of the repository in the subject, and which one these policies use.</summary>
    private static void AppendSubjectForms(StringBuilder page, IamSetupInput input)
    {
        page.AppendLine("GitHub writes the repository into `sub` in one of two forms, chosen by the owner's OIDC settings:");
        page.AppendLine();
        page.AppendLine($"- classic, by name: `repo:{input.Repository.Owner}/{input.Repository.Name}:environment:{input.Environment}:job_workflow_ref:...`;");
        page.AppendLine(
            $"- immutable, by name and numeric id: `repo:{input.Repository.Owner}@OWNER_ID/{input.Repository.Name}@REPOSITORY_ID"
            + $":environment:{input.Environment}:job_workflow_ref:...`,");
        page.AppendLine("  which a repository deleted and re-created under the same name cannot match.");
        page.AppendLine();
        page.AppendLine(input.Repository.IsImmutable
            ? "These policies use the immutable form (the repository was given as `owner@ID/name@ID`)."
            : "These policies use the classic form. For the immutable form, give `--github-repo=owner@OWNER_ID/name@REPOSITORY_ID` "
                + "(the ids are `owner.id` and `id` in `gh api repos/OWNER/NAME`).");
        page.AppendLine();
    }

    /// <summary>The AWS CLI commands that create the identity provider, the roles and their policies.</summary>
    private static void AppendCreateCommands(StringBuilder page, IamSetupInput input, IReadOnlyList<IamRole> roles)
    {
        page.AppendLine("## Create them");
        page.AppendLine();
        page.AppendLine("```bash");
        page.AppendLine($"# Once per account: GitHub's OIDC identity provider ({input.OidcProviderArn}).");
        page.AppendLine($"aws iam create-open-id-connect-provider --url https://{IamPolicies.GitHubTokenIssuer} --client-id-list {IamPolicies.StsAudience}");
        foreach (var role in roles)
        {
            page.AppendLine();
            page.AppendLine($"# In account {role.Account}:");
            // The cutover and dress rehearsal jobs ask for six-hour credentials; a restore of a large cluster takes hours.
            var duration = role.Name == input.MigrationRoleName || role.Name == input.DressRehearsalRoleName ? " --max-session-duration 21600" : string.Empty;
            page.AppendLine($"aws iam create-role --role-name {role.Name} --assume-role-policy-document file://{role.Trust.FileName}{duration}");
            foreach (var (part, i) in role.PolicyParts.Select((d, i) => (d, i)))
            {
                var policyName = "rekey" + (i == 0 ? string.Empty : $"-{i + 1}");
                page.AppendLine($"aws iam put-role-policy --role-name {role.Name} --policy-name {policyName} --policy-document file://{part.FileName}");
            }
        }

        page.AppendLine("```");
        page.AppendLine();
    }

    /// <summary>Each AWS operation Rekey calls, which role calls it, and the IAM actions and scope it needs.</summary>
    private static void AppendWhyEachAction(StringBuilder page)
    {
        page.AppendLine("## Why each action");
        page.AppendLine();
        page.AppendLine("| Operation | Called by | IAM actions | Scope |");
        page.AppendLine("| --- | --- | --- | --- |");
        foreach (var operation in AwsOperationPermissions.All)
        {
            var caller = operation.Account == PolicyAccount.Backup
                ? "backup account role" + (operation.ReadOnly ? "s" : string.Empty)
                : operation.ReadOnly ? "plan and migration roles" : "migration role";
            var actions = operation.Grants.Count == 0 ? "none needed" : string.Join(", ", operation.Grants.Select(g => $"`{g.Action}`").Distinct(StringComparer.Ordinal));
            var scopes = string.Join(", ", operation.Grants.Select(g => g.Scope.ToString()).Distinct(StringComparer.Ordinal));
            var when = operation.OnlyWhen is null ? string.Empty : $", only when {operation.OnlyWhen}";
            page.AppendLine($"| {operation.Service}:{operation.Operation} | {caller}{when} | {actions} | {scopes} |");
        }

        foreach (var operation in AwsOperationPermissions.DressRehearsal)
        {
            var actions = string.Join(", ", operation.Grants.Select(g => $"`{g.Action}`").Distinct(StringComparer.Ordinal));
            var scopes = string.Join(", ", operation.Grants.Select(g => g.Scope.ToString()).Distinct(StringComparer.Ordinal));
            var when = operation.OnlyWhen is null ? string.Empty : $", only when {operation.OnlyWhen}";
            page.AppendLine($"| {operation.Service}:{operation.Operation} | dress rehearsal role{when} | {actions} | {scopes} |");
        }
    }
}
