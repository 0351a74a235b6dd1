using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.Migration;
using Rekey.Strategies;

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
        var result = await BlueGreenSwitchover.VerifyAsync(context.Run, context.CancellationToken);
        foreach (var item in result.Checked)
        {
            context.Log.Verbose("Checked: {0}", item);
        }

        if (!result.Passed)
        {
            throw new VerificationFailedException(
                $"The Blue/Green cutover of {context.Settings.Cluster} is not verified; {result.Problems.Count} problem(s):", result.Problems);
        }

        context.Log.Information("VerifyBlueGreen passed: {0} checks.", result.Checked.Count);
    }
}
