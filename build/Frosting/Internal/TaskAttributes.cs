using System.Reflection;

namespace Cake.Frosting.Internal;

/// <summary>Reads a task class's name, description and dependencies from its attributes.</summary>
internal static class TaskAttributes
{
    public static string NameOf(Type task) =>
        task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    public static string? DescriptionOf(Type task) =>
        task.GetCustomAttribute<TaskDescriptionAttribute>()?.Description;

    public static IEnumerable<Type> DependenciesOf(Type task) =>
        task.GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task);

    public static IEnumerable<Type> DependeesOf(Type task) =>
        task.GetCustomAttributes<IsDependeeOfAttribute>().Select(a => a.Task);

    public static bool ContinuesOnError(Type task) =>
        task.GetCustomAttribute<ContinueOnErrorAttribute>() is not null;

    /// <summary>Whether the task class overrides <paramref name="method"/> of its Frosting base class.</summary>
    public static bool Overrides(Type task, string method) =>
        task.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(m => m.Name == method && m.DeclaringType is { } declaring && declaring != typeof(object)
                      && !(declaring.IsGenericType && (declaring.GetGenericTypeDefinition() == typeof(FrostingTask<>)
                                                       || declaring.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>))));
}
