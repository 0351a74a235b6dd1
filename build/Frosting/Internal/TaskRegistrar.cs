using Cake.Core;
using Cake.Core.Diagnostics;

namespace Cake.Frosting.Internal;

/// <summary>Registers the task classes and lifetimes with the Cake engine.</summary>
internal sealed class TaskRegistrar(
    ICakeEngine engine,
    IFrostingContext context,
    ICakeLog log,
    IEnumerable<IFrostingTask> tasks,
    IFrostingSetup? setup = null,
    IFrostingTeardown? teardown = null,
    IFrostingTaskSetup? taskSetup = null,
    IFrostingTaskTeardown? taskTeardown = null)
{
    private readonly List<IFrostingTask> _tasks = tasks.ToList();

    public IReadOnlyList<string> TaskNames => _tasks.Select(t => TaskAttributes.NameOf(t.GetType())).ToList();

    public void Register()
    {
        var byType = _tasks.ToDictionary(t => t.GetType());
        foreach (var duplicate in _tasks.GroupBy(t => TaskAttributes.NameOf(t.GetType()), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            throw new InvalidOperationException($"Task name '{duplicate.Key}' is used by {string.Join(" and ", duplicate.Select(t => t.GetType().FullName))}.");
        }

        foreach (var task in _tasks)
        {
            RegisterTask(task, byType);
        }

        if (setup is not null)
        {
            engine.RegisterSetupAction(info => setup.Setup(context, info));
        }

        if (teardown is not null)
        {
            engine.RegisterTeardownAction(info => teardown.Teardown(context, info));
        }

        if (taskSetup is not null)
        {
            engine.RegisterTaskSetupAction(info => taskSetup.Setup(context, info));
        }

        if (taskTeardown is not null)
        {
            engine.RegisterTaskTeardownAction(info => taskTeardown.Teardown(context, info));
        }
    }

    private void RegisterTask(IFrostingTask task, Dictionary<Type, IFrostingTask> byType)
    {
        var type = task.GetType();
        var name = TaskAttributes.NameOf(type);
        log.Debug("Registering task {0} ({1})", name, type.FullName!);

        var builder = engine.RegisterTask(name);
        if (TaskAttributes.DescriptionOf(type) is { Length: > 0 } description)
        {
            builder.Description(description);
        }

        builder.Does(() => task.RunAsync(context));

        if (TaskAttributes.Overrides(type, nameof(IFrostingTask.ShouldRun)))
        {
            builder.WithCriteria(_ => ShouldRun(task, name), task.SkippedMessage);
        }

        if (TaskAttributes.ContinuesOnError(type))
        {
            builder.ContinueOnError();
        }

        // As in Cake.Frosting: a task that overrides OnError handles its failure, and the run goes on (and can
        // succeed) unless OnError throws, e.g. rethrows the exception.
        if (TaskAttributes.Overrides(type, nameof(IFrostingTask.OnError)))
        {
            builder.OnError(exception => task.OnError(exception, context));
        }

        if (TaskAttributes.Overrides(type, nameof(IFrostingTask.Finally)))
        {
            builder.Finally(() => task.Finally(context));
        }

        foreach (var dependency in TaskAttributes.DependenciesOf(type))
        {
            builder.IsDependentOn(NameOfTask(dependency, type, byType));
        }

        foreach (var dependee in TaskAttributes.DependeesOf(type))
        {
            builder.IsDependeeOf(NameOfTask(dependee, type, byType));
        }
    }

    private bool ShouldRun(IFrostingTask task, string name)
    {
        var run = task.ShouldRun(context);
        if (!run && task.SkippedMessage is { Length: > 0 } reason)
        {
            // A task may decide its reason while deciding to skip; the log shows the one it settled on.
            log.Information("Skipping {0}: {1}", name, reason);
        }

        return run;
    }

    private static string NameOfTask(Type referenced, Type referencing, Dictionary<Type, IFrostingTask> byType)
    {
        if (!typeof(IFrostingTask).IsAssignableFrom(referenced))
        {
            throw new InvalidOperationException($"{referencing.FullName} names {referenced.FullName} as a dependency, which is not a task.");
        }

        if (!byType.ContainsKey(referenced))
        {
            throw new InvalidOperationException($"{referencing.FullName} names {referenced.FullName} as a dependency, which is not registered with the host.");
        }

        return TaskAttributes.NameOf(referenced);
    }
}
