using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.Migration;

namespace Rekey.Build.Tasks;

/// <summary>
/// Gives the cluster a custom cluster parameter group with what Blue/Green replication needs and,
/// with --fix-parameter-group, reboots the writer so it applies (the reboot is the only outage).
/// </summary>
[TaskName("PrepareBlueGreenParameters")]
[TaskDescription("Copies the cluster parameter group with binlog_format=ROW or rds.logical_replication=1 for Blue/Green; reboots the writer only with --fix-parameter-group.")]
[IsDependentOn(typeof(PreflightTask))]
[ChangesAws]
public sealed class PrepareBlueGreenParametersTask : StepTask
{
    public override async Task RunAsync(RekeyContext context)
    {
        var outcome = await PrepareBlueGreenParameters.RunAsync(context.Run, context.CancellationToken);
        switch (outcome)
        {
            case BlueGreenParameterOutcome.Ready:
                context.Log.Information("{0}: the cluster parameter group is ready for Blue/Green and the writer is in sync.", context.Settings.Cluster);
                break;
            case BlueGreenParameterOutcome.WriterRebootNeeded:
                context.Log.Warning(
                    "{0}: the cluster parameter group is ready for Blue/Green, but the writer applies it only after a reboot: rerun with --{1} (writes fail for about a minute).",
                    context.Settings.Cluster,
                    ArgumentNames.FixParameterGroup);
                break;
            default:
                context.Log.Information("{0}: the engine has no Blue/Green parameter needs.", context.Settings.Cluster);
                break;
        }
    }
}
