using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Checks;
using Rekey.Configuration;

namespace Rekey.Build.Tasks;

/// <summary>
/// The whole cutover as one target. It depends on both strategies' chains; Preflight chooses the
/// strategy and the other chain's steps skip, saying why. Its verdict is read from AWS at the end, not remembered
/// from the steps: the cluster's key ARN, names and lock holder, compared with this run's key.
/// </summary>
[TaskName("Cutover")]
[TaskDescription("Preflight and PrepareKey, then restore-swap (Fence, Restore, CreateInstances, Finalize, Verify) or Blue/Green (CreateBlueGreen, WaitForGreen, VerifyGreen, Switchover, "
    + "VerifyBlueGreen), per --strategy.")]
[IsDependentOn(typeof(VerifyTask))]
[IsDependentOn(typeof(VerifyBlueGreenTask))]
[CompositeTarget]
public sealed class CutoverTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        if (context.Preflight?.NothingToDo == true)
        {
            context.Log.Information("{0} already uses the requested key; nothing was changed.", context.Settings.Cluster);
            return;
        }

        var strategy = context.Preflight?.Strategy ?? context.Settings.Strategy;
        var run = context.Run;
        var key = context.TargetKeyArn ?? await run.TargetKeyArnAsync(context.CancellationToken);
        var final = await FinalRead.ReadAsync(run, key, context.CancellationToken);
        FinalRead.Require(run, final);
        context.Log.Information(
            "{0} now uses {1}, under its original names ({2}; read from AWS: {3}).",
            context.Settings.Cluster,
            final.KmsKeyArn!,
            strategy.Name(),
            final.ClusterEndpoint ?? "no endpoint");
    }
}
