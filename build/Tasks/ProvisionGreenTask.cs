using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;

namespace Rekey.Build.Tasks;

/// <summary>
/// Blue/Green's hold point: green is provisioned and verified, nothing has changed for the applications.
/// The workflow ends its first job here and switches over in the job behind the environment's approval;
/// run by hand, Cutover goes on to the switchover at once.
/// </summary>
[TaskName("ProvisionGreen")]
[TaskDescription("Blue/Green up to the approval: CreateBlueGreen, WaitForGreen and VerifyGreen; no outage.")]
[IsDependentOn(typeof(VerifyGreenTask))]
public sealed class ProvisionGreenTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context)
    {
        // Said only as AWS shows it now: a switchover that completed meanwhile leaves no green to be ready.
        var state = await Rekey.Strategies.BlueGreenState.ReadAsync(context.Run, context.CancellationToken);
        if (state.IsSwitchedOver)
        {
            context.Log.Information("{0} was switched over already; VerifyBlueGreen checks the new cluster.", context.Settings.Cluster);
            return;
        }

        await Rekey.Checks.GreenRead.RequireAsync(context.Run, "ProvisionGreen", context.TargetKeyArn, state, context.CancellationToken);
        context.Log.Information(
            "Green of {0} is ready for the switchover; applications still use blue. Approve the switchover (the workflow's environment gate), or run --target=Cutover --strategy=blue-green.",
            context.Settings.Cluster);
    }
}
