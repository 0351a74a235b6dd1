using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.BlueGreen;

namespace Rekey.Build.Tasks;

/// <summary>Blue/Green: waits until AWS reports the deployment AVAILABLE, showing its status and tasks while it provisions.</summary>
[TaskName("WaitForGreen")]
[TaskDescription("Blue/Green: waits for the deployment to be AVAILABLE (a full copy on the new key), with its tasks and status.")]
[IsDependentOn(typeof(CreateBlueGreenTask))]
[ChangesAws]
public sealed class WaitForGreenTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context) =>
        await WaitForGreen.RunAsync(context.Run, context.CancellationToken);
}
