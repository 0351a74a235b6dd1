using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Checks;
using Rekey.RestoreSwap;
using Rekey.Strategies;

namespace Rekey.Build.Tasks;

/// <summary>
/// After the holding period: final snapshot, then the old instances and cluster are deleted. What it reports is read
/// from AWS at the end: the old cluster gone, its final snapshot available, the new cluster still there.
/// </summary>
[TaskName(nameof(Cleanup))]
[TaskDescription("After --min-age since T1 (Blue/Green: since the switchover): final snapshot, then deletes the old cluster and its instances (and the Blue/Green deployment).")]
[ChangesAws]
public sealed class CleanupTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var run = context.Run;
        if (await BlueGreenState.IsBlueGreenCutoverAsync(run, context.CancellationToken)
            || await Rekey.BlueGreen.BlueGreenCleanup.WasCleanedUpAsync(run, context.CancellationToken))
        {
            await Rekey.BlueGreen.BlueGreenCleanup.RunAsync(run, context.CancellationToken);
            await CleanupRead.RequireAsync(run, BlueGreenDeployments.OldBlueId(run.ClusterId), context.CancellationToken);
            return;
        }

        await Cleanup.RunAsync(run, context.CancellationToken);
        await CleanupRead.RequireAsync(run, run.OldClusterId, context.CancellationToken);
    }
}
