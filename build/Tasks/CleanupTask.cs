using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Migration;

namespace Rekey.Build.Tasks;

/// <summary>After the holding period: final snapshot, then the old instances and cluster are deleted.</summary>
[TaskName("Cleanup")]
[TaskDescription("After --min-age since T1: final snapshot, then deletes the old cluster and its instances.")]
[ChangesAws]
public sealed class CleanupTask : AsyncFrostingTask<RekeyContext>
{
    public override Task RunAsync(RekeyContext context) => Cleanup.RunAsync(context.Run, context.CancellationToken);
}
