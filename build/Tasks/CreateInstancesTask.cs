using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.RestoreSwap;

namespace Rekey.Build.Tasks;

/// <summary>Creates every instance again under its original name; the outage ends when the writer answers at the old address.</summary>
[TaskName(nameof(CreateInstances))]
[TaskDescription("Creates the instances again under their original names, the old writer first; the outage ends here.")]
[IsDependentOn(typeof(RestoreTask))]
[ChangesAws]
public sealed class CreateInstancesTask : StepTask
{
    protected override Rekey.Configuration.CutoverStrategy? Strategy => Rekey.Configuration.CutoverStrategy.RestoreSwap;

    public override Task RunAsync(RekeyContext context) => CreateInstances.RunAsync(context.Run, context.CancellationToken);
}
