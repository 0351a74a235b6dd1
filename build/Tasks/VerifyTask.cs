using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Checks;
using Rekey.Migration;
using Rekey.Reporting;
using Rekey.RestoreSwap;

namespace Rekey.Build.Tasks;

/// <summary>Read only. Compares the new cluster with what the fence recorded and the old cluster's settings.</summary>
[TaskName(nameof(Verify))]
[TaskDescription("Checks names, DNS, key, settings, instances and that the old cluster took no commit after T1 (waits for the CloudWatch data; "
    + "without it the check is not measured and Verify fails).")]
[IsDependentOn(typeof(FinalizeTask))]
public sealed class VerifyTask : StepTask
{
    protected override Rekey.Configuration.CutoverStrategy? Strategy => Rekey.Configuration.CutoverStrategy.RestoreSwap;

    public override async Task RunAsync(RekeyContext context)
    {
        var result = await Verify.RunAsync(context.Run, context.CancellationToken);
        context.Verification = result;
        if (result.Outage is { } outage)
        {
            context.Log.Information("Write outage on AWS's clock: {0}", Durations.Text(outage));
        }

        if (!result.Passed)
        {
            throw new VerificationFailedException(result.Checks.Blocking);
        }

        // The verdict is read again from AWS, not taken from the checks above: the cluster's key, names and lock now.
        var key = await ExpectedKey.ArnAsync(context.Run, context.TargetKeyArn, context.CancellationToken);
        var final = await FinalRead.ReadAsync(context.Run, key, context.CancellationToken);
        FinalRead.Require(context.Run, final);
        context.Log.Information("Verify passed: {0}; AWS shows {1} on {2}, at {3}.", result.Checks.Summary(), final.ClusterId, final.KmsKeyArn!, final.ClusterEndpoint ?? "no endpoint");
    }
}
