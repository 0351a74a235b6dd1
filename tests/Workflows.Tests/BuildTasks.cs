using System.Reflection;
using Cake.Frosting;
using Rekey.Build;

namespace Rekey.Workflows.Tests;

/// <summary>The tasks the Rekey build offers, found the way its host finds them.</summary>
public static class BuildTasks
{
    // The build marks every task that changes AWS with this attribute; a run including one needs --confirm.
    private const string ChangesAwsAttribute = "ChangesAwsAttribute";

    /// <summary>
    /// The host registers every public, non-abstract task class of the build assembly under its
    /// [TaskName], or its class name without one.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, Type> Tasks =
        typeof(RekeyBuild).Assembly.GetTypes()
            .Where(t => t is { IsPublic: true, IsAbstract: false } && typeof(IFrostingTask).IsAssignableFrom(t))
            .ToDictionary(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.Name, StringComparer.Ordinal);

    public static IReadOnlySet<string> Names { get; } = Tasks.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether running the target changes AWS: the task or any task it depends on carries the build's
    /// marker. A target the build does not have cannot be judged here; it fails
    /// <see cref="BuildTargetTests.Every_target_a_workflow_runs_is_a_task_of_the_build"/> instead.
    /// </summary>
    public static bool ChangesAws(string target) =>
        Tasks.TryGetValue(target, out var task) && ChangesAws(task, []);

    private static bool ChangesAws(Type task, HashSet<Type> seen) =>
        seen.Add(task)
        && (task.GetCustomAttributes().Any(a => a.GetType().Name == ChangesAwsAttribute)
            || task.GetCustomAttributes<IsDependentOnAttribute>().Any(d => ChangesAws(d.Task, seen))
            || Tasks.Values.Any(other => other.GetCustomAttributes<IsDependeeOfAttribute>().Any(d => d.Task == task) && ChangesAws(other, seen)));
}
