using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Iam;

namespace Rekey.Build.Tasks;

/// <summary>
/// Read only. Writes the IAM roles the workflows assume (trust and permissions, scoped to the cluster,
/// its instances and the key) as JSON files, with a Markdown page that says how to create them.
/// </summary>
[TaskName("IamPolicies")]
[TaskDescription("Writes the OIDC trust and least-privilege policies of the plan, migration and backup roles for the cluster; changes nothing.")]
public sealed class IamPoliciesTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var settings = context.Settings;
        var input = await IamSetupReader.ReadAsync(context.Run.Rds, context.Run.Sts, settings, context.Run.Region.SystemName, context.CancellationToken);
        var roles = IamPolicies.Generate(input);

        // Each document against IAM's size quotas, before anything is written: one over a quota cannot be created.
        var sizes = IamPolicySizes.Measure(roles);
        foreach (var size in sizes)
        {
            context.Log.Information("{0}", IamPolicySizes.Describe(size));
        }

        if (IamPolicySizes.Problems(sizes, input.Fleet) is { Count: > 0 } problems)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        var folder = settings.IamOutput ?? Path.Combine(settings.ArtifactsDirectory, "iam");

        var written = IamSetupWriter.Write(folder, input, roles);

        foreach (var role in roles)
        {
            context.Log.Information("{0} in account {1}: set {2} = {3} in environment {4}", role.Name, role.Account, role.GitHubVariable, role.Arn, role.GitHubEnvironment);
        }

        context.Log.Information("Wrote {0} files to {1}; {1}/{2} says how to create the roles.", written.Count, folder, IamSetupWriter.PageFileName);
    }
}
