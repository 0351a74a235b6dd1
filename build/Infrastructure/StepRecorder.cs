using System.Collections.Concurrent;
using Rekey.Reporting;

namespace Rekey.Build.Infrastructure;

/// <summary>Collects each task's outcome during a run, for the report written at the end.</summary>
public sealed class StepRecorder
{
    private readonly ConcurrentQueue<StepOutcome> _steps = new();

    public IReadOnlyList<StepOutcome> Steps => [.. _steps];

    public void Add(StepOutcome outcome) => _steps.Enqueue(outcome);
}
