using Cake.Frosting;

namespace Rekey.Build.Infrastructure;

/// <summary>
/// A cutover step: skipped, with the reason, when Preflight found the cluster already on the requested key.
/// </summary>
public abstract class StepTask : AsyncFrostingTask<RekeyContext>
{
    public override string SkippedMessage => "the cluster already uses the requested key";

    public override bool ShouldRun(RekeyContext context) => context.Preflight?.NothingToDo != true;
}
