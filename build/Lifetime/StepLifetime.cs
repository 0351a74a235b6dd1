using Cake.Core;
using Cake.Frosting;
using Rekey.Reporting;

namespace Rekey.Build.Lifetime;

/// <summary>Under GitHub Actions, folds each step's log into a group and turns a failure into an error annotation.</summary>
public sealed class StepLifetime : FrostingTaskLifetime<RekeyContext>
{
    public override void Setup(RekeyContext context, ITaskSetupContext info)
    {
        if (context.IsGitHubActions)
        {
            Console.Out.WriteLine(GitHubWorkflowCommands.Group(info.Task.Name));
        }
    }

    public override void Teardown(RekeyContext context, ITaskTeardownContext info)
    {
        if (!context.IsGitHubActions)
        {
            return;
        }

        Console.Out.WriteLine(GitHubWorkflowCommands.EndGroup());
        if (info.ThrownException is { } failure)
        {
            Console.Out.WriteLine(GitHubWorkflowCommands.Error(failure.GetBaseException().Message, $"{info.Task.Name} failed"));
        }
    }
}
