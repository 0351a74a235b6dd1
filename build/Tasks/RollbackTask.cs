using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.RestoreSwap;

namespace Rekey.Build.Tasks;

/// <summary>Brings the old cluster back under its original names from wherever a cutover stopped.</summary>
[TaskName(nameof(Rollback))]
[TaskDescription("Deletes what the cutover created (final snapshot if it took writes) and gives the old cluster its names back; Blue/Green: deletes the deployment with its green before the switchover.")]
[ChangesAws]
public sealed class RollbackTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        // A Blue/Green cutover is known by its tags, so a restore-swap rollback never calls the Blue/Green API.
        if (await Rekey.Strategies.BlueGreenState.IsBlueGreenCutoverAsync(context.Run, context.CancellationToken))
        {
            await Rekey.BlueGreen.BlueGreenRollback.RunAsync(context.Run, context.CancellationToken);
            return;
        }

        await Rollback.RunAsync(context.Run, context.CancellationToken);
    }
}
