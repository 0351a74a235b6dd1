using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.BlueGreen;

namespace Rekey.Build.Tasks;

/// <summary>Read only. Blue/Green: the deployment and its members are AVAILABLE, the green cluster's key is the target key, and recent replication lag data is low.</summary>
[TaskName("VerifyGreen")]
[TaskDescription("Blue/Green: checks the deployment and every SwitchoverDetails member are AVAILABLE, green's KmsKeyId is the target key, "
    + "and CloudWatch has recent replication lag below the threshold (waits for the data; without it the lag is not measured and the step fails); "
    + "waits for a switchover an earlier run asked for to end.")]
[IsDependentOn(typeof(WaitForGreenTask))]
public sealed class VerifyGreenTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context)
    {
        var verdict = await VerifyGreen.RunAsync(context.Run, context.CancellationToken);
        if (!verdict.Checks.AllPassed)
        {
            throw new Rekey.Migration.VerificationFailedException($"VerifyGreen found {verdict.Checks.Blocking.Count} problem(s); nothing was switched:", verdict.Checks);
        }

        // Only what the checks read is said: a switchover that completed while this run waited leaves no green to judge.
        if (verdict.SwitchedOver)
        {
            context.Log.Information("{0} was switched over already; VerifyBlueGreen checks the new cluster.", context.Settings.Cluster);
            return;
        }

        // The verdict is read from AWS again after the checks: the deployment, green's key and the lock now.
        await Rekey.Checks.GreenRead.RequireAsync(context.Run, "VerifyGreen", context.TargetKeyArn, context.CancellationToken);
        context.Log.Information("Green of {0} is ready for the switchover: {1}.", context.Settings.Cluster, string.Join("; ", verdict.Checks.Passed));
    }
}
