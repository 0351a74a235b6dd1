using System.Reflection;
using Cake.Frosting;
using Rekey.Build;

namespace Rekey.Workflows.Tests;

/// <summary>The tasks the Rekey build offers, found the way its host finds them.</summary>
public static class BuildTasks
{
    /// <summary>
    /// The host registers every public, non-abstract task class of the build assembly under its
    /// [TaskName], or its class name without one.
    /// </summary>
    public static IReadOnlySet<string> Names { get; } =
        typeof(RekeyBuild).Assembly.GetTypes()
            .Where(t => t is { IsPublic: true, IsAbstract: false } && typeof(IFrostingTask).IsAssignableFrom(t))
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.Name)
            .ToHashSet(StringComparer.Ordinal);
}
