using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.RestoreSwap;

namespace Rekey.Build.Tasks;

/// <summary>After the holding period: final snapshot, then the old instances and cluster are deleted.</summary>
[TaskName(nameof(Cleanup))]
[TaskDescription("After --min-age since T1 (Blue/Green: since the switchover): final snapshot, then deletes the old cluster and its instances (and the Blue/Green deployment).")]
[ChangesAws]
public sealed class CleanupTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        if (await Rekey.Strategies.BlueGreenState.IsBlueGreenCutoverAsync(context.Run, context.CancellationToken)
            || await Rekey.BlueGreen.BlueGreenCleanup.WasCleanedUpAsync(context.Run, context.CancellationToken))
        {
            await Rekey.BlueGreen.BlueGreenCleanup.RunAsync(context.Run, context.CancellationToken);
            return;
        }

        await Cleanup.RunAsync(context.Run, context.CancellationToken);
    }
}
