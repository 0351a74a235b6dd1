using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Checks;
using Rekey.Configuration;
using Rekey.Migration;
using Rekey.BlueGreen;

namespace Rekey.Build.Tasks;

/// <summary>
/// Blue/Green after the switchover: names, DNS, key and instances like restore-swap's Verify, the custom
/// endpoints created again (Blue/Green does not carry them), and on Aurora PostgreSQL the sequences.
/// </summary>
[TaskName("VerifyBlueGreen")]
[TaskDescription("Blue/Green: checks names, DNS, key and instances, re-creates custom endpoints, and on Aurora PostgreSQL asks for the sequences (--sequences-advanced).")]
[IsDependentOn(typeof(SwitchoverTask))]
[ChangesAws]
public sealed class VerifyBlueGreenTask : StepTask
{
    protected override CutoverStrategy? Strategy => CutoverStrategy.BlueGreen;

    public override async Task RunAsync(RekeyContext context)
    {
        var result = await VerifyBlueGreen.RunAsync(context.Run, context.CancellationToken);
        foreach (var item in result.Checks.Items)
        {
            context.Log.Verbose("{0}: {1}", item.Outcome, item);
        }

        if (!result.Passed)
        {
            throw new VerificationFailedException(
                $"The Blue/Green cutover of {context.Settings.Cluster} is not verified; {result.Checks.Blocking.Count} problem(s):", result.Checks);
        }

        foreach (var item in result.Checks.NotMeasured)
        {
            context.Log.Warning("{0}", item);
        }

        var key = await ExpectedKey.ArnAsync(context.Run, context.TargetKeyArn, context.CancellationToken);
        var final = await FinalRead.ReadAsync(context.Run, key, context.CancellationToken);
        FinalRead.Require(context.Run, final);
        context.Log.Information("VerifyBlueGreen passed: {0}; AWS shows {1} on {2}, at {3}.", result.Checks.Summary(), final.ClusterId, final.KmsKeyArn!, final.ClusterEndpoint ?? "no endpoint");
    }
}
