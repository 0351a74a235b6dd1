using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.RestoreSwap;

namespace Rekey.Build.Tasks;

/// <summary>Restores the old cluster at T1 under the original identifier with the customer managed key.</summary>
[TaskName(nameof(Restore))]
[TaskDescription("Restores the old cluster at T1 into a new cluster with the original name and the customer managed key.")]
[IsDependentOn(typeof(FenceTask))]
[ChangesAws]
public sealed class RestoreTask : StepTask
{
    protected override Rekey.Configuration.CutoverStrategy? Strategy => Rekey.Configuration.CutoverStrategy.RestoreSwap;

    public override async Task RunAsync(RekeyContext context)
    {
        // The key this run was given, to compare with the one the fence recorded.
        var keyArn = await context.Run.TargetKeyArnAsync(context.CancellationToken);
        await Restore.RunAsync(context.Run, keyArn, context.CancellationToken);
    }
}
