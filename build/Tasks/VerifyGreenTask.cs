using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.Strategies;

namespace Rekey.Build.Tasks;

/// <summary>Read only. Blue/Green: the deployment and its members are AVAILABLE, the green cluster's key is the target key, and recent replication lag data is low.</summary>
[TaskName("VerifyGreen")]
[TaskDescription("Blue/Green: checks the deployment and every SwitchoverDetails member are AVAILABLE, green's KmsKeyId is the target key, and CloudWatch has recent replication lag below the threshold (waits for the data, fails without it).")]
[IsDependentOn(typeof(WaitForGreenTask))]
public sealed class VerifyGreenTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context)
    {
        var problems = await BlueGreenCutover.VerifyGreenAsync(context.Run, context.CancellationToken);
        if (problems.Count > 0)
        {
            throw new Rekey.Migration.VerificationFailedException($"VerifyGreen found {problems.Count} problem(s); nothing was switched:", problems);
        }

        context.Log.Information("Green of {0} is AVAILABLE, on the target key and replicating with a low lag.", context.Settings.Cluster);
    }
}
