using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;

namespace Rekey.Build.Tasks;

/// <summary>
/// The whole cutover as one target. It depends on both strategies' chains; Preflight chooses the
/// strategy and the other chain's steps skip, saying why.
/// </summary>
[TaskName("Cutover")]
[TaskDescription("Preflight and PrepareKey, then restore-swap (Fence, Restore, CreateInstances, Finalize, Verify) or Blue/Green (CreateBlueGreen, WaitForGreen, VerifyGreen, Switchover, VerifyBlueGreen), per --strategy.")]
[IsDependentOn(typeof(VerifyTask))]
[IsDependentOn(typeof(VerifyBlueGreenTask))]
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

        var strategy = context.Preflight?.Strategy ?? context.Settings.Strategy;
        context.Log.Information("{0} now uses {1}, under its original names ({2}).", context.Settings.Cluster, context.Verification?.TargetKeyArn ?? context.TargetKeyArn, strategy.Name());
    }
}
