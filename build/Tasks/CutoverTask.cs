using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;

namespace Rekey.Build.Tasks;

/// <summary>The whole cutover, Preflight to Verify, as one target.</summary>
[TaskName("Cutover")]
[TaskDescription("Preflight, PrepareKey, Fence, Restore, CreateInstances, Finalize and Verify, in order.")]
[IsDependentOn(typeof(VerifyTask))]
[CompositeTarget]
public sealed class CutoverTask : FrostingTask<RekeyContext>
{
    public override void Run(RekeyContext context)
    {
        if (context.Preflight?.NothingToDo == true)
        {
            context.Log.Information("{0} already uses the requested key; nothing was changed.", context.Settings.Cluster);
            return;
        }

        context.Log.Information("{0} now uses {1}, under its original names.", context.Settings.Cluster, context.Verification?.TargetKeyArn ?? context.TargetKeyArn);
    }
}
