using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Migration;

namespace Rekey.Build.Tasks;

/// <summary>Uses --kms-key, or with --create-key creates it under the alias with its policy, rotation and tags.</summary>
[TaskName(nameof(PrepareKey))]
[TaskDescription("Makes sure the customer managed key exists and may be used (creates it with --create-key).")]
[IsDependentOn(typeof(PreflightTask))]
[ChangesAws]
public sealed class PrepareKeyTask : StepTask
{
    public override async Task RunAsync(RekeyContext context)
    {
        context.TargetKeyArn = await PrepareKey.RunAsync(context.Run, context.CancellationToken);
        context.Run.SettleTargetKey(context.TargetKeyArn);
    }
}
