using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Migration;

namespace Rekey.Build.Tasks;

/// <summary>Brings the old cluster back under its original names from wherever a cutover stopped.</summary>
[TaskName("Rollback")]
[TaskDescription("Deletes what the cutover created (final snapshot if it took writes) and gives the old cluster its names back.")]
[ChangesAws]
public sealed class RollbackTask : AsyncFrostingTask<RekeyContext>
{
    public override Task RunAsync(RekeyContext context) => Rollback.RunAsync(context.Run, context.CancellationToken);
}
