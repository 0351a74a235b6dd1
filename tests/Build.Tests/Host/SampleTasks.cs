using Cake.Core;
using Cake.Frosting;

namespace Rekey.Build.Tests.Host;

/// <summary>What the sample tasks did, in order.</summary>
public sealed class Journal
{
    private readonly List<string> _entries = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public void Add(string entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
        }
    }
}

[TaskName("Fetch")]
[TaskDescription("First in the chain.")]
public sealed class FetchTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Fetch");
}

[TaskName("Transform")]
[IsDependentOn(typeof(FetchTask))]
public sealed class TransformTask(Journal journal) : AsyncFrostingTask<FrostingContext>
{
    public override async Task RunAsync(FrostingContext context)
    {
        await Task.Yield();
        journal.Add("Transform");
    }
}

[TaskName("Store")]
[TaskDescription("Last in the chain.")]
[IsDependentOn(typeof(TransformTask))]
public sealed class StoreTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Store");
}

/// <summary>Declares itself a dependency of Store rather than being named by it.</summary>
[TaskName("Audit")]
[IsDependeeOf(typeof(StoreTask))]
public sealed class AuditTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("Audit");
}

[TaskName("Optional")]
public sealed class OptionalTask(Journal journal) : FrostingTask<FrostingContext>, IFrostingTask
{
    public string SkippedMessage => "nothing to do for this cluster";

    public override bool ShouldRun(FrostingContext context) => false;

    public override void Run(FrostingContext context) => journal.Add("Optional");
}

[TaskName("AfterOptional")]
[IsDependentOn(typeof(OptionalTask))]
public sealed class AfterOptionalTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("AfterOptional");
}

[TaskName("Explode")]
public sealed class ExplodeTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context)
    {
        journal.Add("Explode");
        throw new InvalidOperationException("the restore ended in state failed");
    }

    public override void Finally(FrostingContext context) => journal.Add("Explode.Finally");
}

[TaskName("AfterExplode")]
[IsDependentOn(typeof(ExplodeTask))]
public sealed class AfterExplodeTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("AfterExplode");
}

[TaskName("ExplodeHandled")]
public sealed class ExplodeHandledTask(Journal journal) : AsyncFrostingTask<FrostingContext>
{
    public override Task RunAsync(FrostingContext context) =>
        throw new InvalidOperationException("the writer never became available");

    public override void OnError(Exception exception, FrostingContext context) =>
        journal.Add("ExplodeHandled.OnError: " + exception.Message);
}

/// <summary>Observes its failure and rethrows it, so the run fails.</summary>
[TaskName("ExplodeRethrown")]
public sealed class ExplodeRethrownTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) =>
        throw new InvalidOperationException("the copy job failed");

    public override void OnError(Exception exception, FrostingContext context)
    {
        journal.Add("ExplodeRethrown.OnError: " + exception.Message);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
    }
}

[TaskName("AfterExplodeRethrown")]
[IsDependentOn(typeof(ExplodeRethrownTask))]
public sealed class AfterExplodeRethrownTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("AfterExplodeRethrown");
}

/// <summary>Fails, and the run goes on past it.</summary>
[TaskName("ExplodeContinued")]
[ContinueOnError]
public sealed class ExplodeContinuedTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context)
    {
        journal.Add("ExplodeContinued");
        throw new InvalidOperationException("a warning-only check failed");
    }
}

[TaskName("AfterExplodeContinued")]
[IsDependentOn(typeof(ExplodeContinuedTask))]
public sealed class AfterExplodeContinuedTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("AfterExplodeContinued");
}

[TaskName("AfterExplodeHandled")]
[IsDependentOn(typeof(ExplodeHandledTask))]
public sealed class AfterExplodeHandledTask(Journal journal) : FrostingTask<FrostingContext>
{
    public override void Run(FrostingContext context) => journal.Add("AfterExplodeHandled");
}

/// <summary>Records setup and teardown around the run and around each task.</summary>
public sealed class RecordingLifetime(Journal journal) : FrostingLifetime<FrostingContext>
{
    public override void Setup(FrostingContext context, ISetupContext info) =>
        journal.Add("Setup: " + string.Join(",", info.TasksToExecute.Select(t => t.Name)));

    public override void Teardown(FrostingContext context, ITeardownContext info) =>
        journal.Add("Teardown: " + (info.Successful ? "succeeded" : "failed"));
}

public sealed class RecordingTaskLifetime(Journal journal) : FrostingTaskLifetime<FrostingContext>
{
    public override void Setup(FrostingContext context, ITaskSetupContext info) => journal.Add("Before " + info.Task.Name);

    public override void Teardown(FrostingContext context, ITaskTeardownContext info) =>
        journal.Add($"After {info.Task.Name}{(info.Skipped ? " (skipped)" : string.Empty)}");
}
