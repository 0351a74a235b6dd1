using Cake.Frosting;
using Rekey.Build.Infrastructure;
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
    public override async Task RunAsync(RekeyContext context) =>
        await BlueGreenParameters.RunAsync(context.Run, CancellationToken.None);
}
