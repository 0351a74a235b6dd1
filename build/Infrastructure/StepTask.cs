using Cake.Frosting;
using Rekey.Configuration;

namespace Rekey.Build.Infrastructure;

/// <summary>
/// A cutover step: skipped, with the reason, when Preflight found the cluster already on the requested key,
/// or when the step belongs to the strategy Preflight did not choose.
/// </summary>
public abstract class StepTask : AsyncFrostingTask<RekeyContext>, IFrostingTask
{
    private const string NothingToDo = "the cluster already uses the requested key";

    private string? _skipped;

    // IFrostingTask's own member, as Cake.Frosting has it (its base classes do not declare one). Cake reads it once,
    // when the task is registered, for the run's summary; the "Skipping" line of the log gives the reason that held.
    public string SkippedMessage => _skipped ?? (Strategy is { } mine
        ? $"{NothingToDo}, or this cutover uses {(mine == CutoverStrategy.BlueGreen ? CutoverStrategy.RestoreSwap : CutoverStrategy.BlueGreen).Name()}"
        : NothingToDo);

    /// <summary>The strategy whose chain this step belongs to; null for steps both strategies take.</summary>
    protected virtual CutoverStrategy? Strategy => null;

    public override bool ShouldRun(RekeyContext context)
    {
        if (context.Preflight?.NothingToDo == true)
        {
            _skipped = NothingToDo;
            return false;
        }

        if (Strategy is not { } mine)
        {
            return true;
        }

        // Without Preflight (--exclusive) the step was asked for by name: only an explicit other strategy skips it.
        var chosen = context.Preflight?.Strategy ?? (context.Settings.Strategy == CutoverStrategy.Auto ? mine : context.Settings.Strategy);
        if (chosen == mine)
        {
            return true;
        }

        _skipped = $"this cutover uses {chosen.Name()}" + (context.Preflight?.StrategyReason is { } why ? $" ({why})" : string.Empty);
        return false;
    }
}
