using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.Strategies;

namespace Rekey.Build.Tasks;

/// <summary>Read only. Blue/Green: the green cluster's key is the target key and replication is healthy with a low lag.</summary>
[TaskName("VerifyGreen")]
[TaskDescription("Blue/Green: checks green's KmsKeyId is the target key and the replication lag (CloudWatch) is low.")]
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

        context.Log.Information("Green of {0} is on the target key and replicating.", context.Settings.Cluster);
    }
}
