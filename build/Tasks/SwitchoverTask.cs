using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Checks;
using Rekey.Configuration;
using Rekey.BlueGreen;

namespace Rekey.Build.Tasks;

/// <summary>Blue/Green: the switchover (the only outage), with --switchover-timeout; a failed one leaves blue as it was and can be run again.</summary>
[TaskName("Switchover")]
[TaskDescription("Blue/Green: switches green to blue's names (writes pause, typically under a minute); AWS rolls back after --switchover-timeout.")]
[IsDependentOn(typeof(ProvisionGreenTask))]
[ChangesAws]
public sealed class SwitchoverTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context)
    {
        var result = await Switchover.RunAsync(context.Run, context.CancellationToken);

        // What is reported as switched is read from AWS now: the deployment, the key under blue's name, the old blue, the lock.
        await SwitchoverRead.RequireAsync(context.Run, context.TargetKeyArn, context.CancellationToken);
        if (result.SwitchoverStarted is { } started && result.SwitchedAt is { } done)
        {
            context.Log.Information("Switchover on AWS's clock: asked at {0:u}, completed by {1:u} ({2:%m\\:ss}).", started, done, done - started);
        }
    }
}
