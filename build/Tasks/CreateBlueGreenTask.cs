using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.BlueGreen;

namespace Rekey.Build.Tasks;

/// <summary>Blue/Green: lock, record the custom endpoints, and create the deployment whose green cluster uses the target key.</summary>
[TaskName("CreateBlueGreen")]
[TaskDescription("Blue/Green: creates the deployment (tagged as Rekey's) with the green cluster on the target key; no outage.")]
[IsDependentOn(typeof(PrepareKeyTask))]
[ChangesAws]
public sealed class CreateBlueGreenTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context)
    {
        var keyArn = await context.Run.TargetKeyArnAsync(context.CancellationToken);
        await CreateBlueGreen.RunAsync(context.Run, keyArn, context.CancellationToken);
    }
}
