using Cake.Frosting;
using Rekey.Build.Infrastructure;

namespace Rekey.Build.Tasks;

/// <summary>IAM roles, custom endpoints, RDS Proxy targets and settings only ModifyDBCluster takes; releases the lock.</summary>
[TaskName(nameof(RestoreSwap.Finalize))]
[TaskDescription("Adds the IAM roles, custom endpoints, proxy targets and remaining settings; releases the lock.")]
[IsDependentOn(typeof(CreateInstancesTask))]
[ChangesAws]
public sealed class FinalizeTask : StepTask
{
    protected override Rekey.Configuration.CutoverStrategy? Strategy => Rekey.Configuration.CutoverStrategy.RestoreSwap;

    public override Task RunAsync(RekeyContext context) => RestoreSwap.Finalize.RunAsync(context.Run, context.CancellationToken);
}
