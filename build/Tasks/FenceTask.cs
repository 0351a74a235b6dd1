using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.RestoreSwap;

namespace Rekey.Build.Tasks;

/// <summary>The outage starts: lock, record, rename the cluster and instances, wait for DNS, take T1 from AWS's clock.</summary>
[TaskName(nameof(Fence))]
[TaskDescription("Renames the cluster and its instances, waits until the old names are gone from DNS, and takes T1.")]
[IsDependentOn(typeof(PrepareKeyTask))]
[ChangesAws]
public sealed class FenceTask : StepTask
{
    protected override Rekey.Configuration.CutoverStrategy? Strategy => Rekey.Configuration.CutoverStrategy.RestoreSwap;

    public override async Task RunAsync(RekeyContext context)
    {
        var keyArn = await context.Run.TargetKeyArnAsync(context.CancellationToken);
        await Fence.RunAsync(context.Run, keyArn, context.CancellationToken);
    }
}
