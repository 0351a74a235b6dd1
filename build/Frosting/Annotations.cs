namespace Cake.Frosting;

/// <summary>The task's name on the command line (<c>--target=NAME</c>); without it, the class's name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>The one-line description shown by <c>--description</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>The annotated task runs after <see cref="Task"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}

/// <summary><see cref="Task"/> runs after the annotated task.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class IsDependeeOfAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}

/// <summary>A failure of the annotated task is logged and the run goes on, as with Cake's <c>ContinueOnError()</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ContinueOnErrorAttribute : Attribute
{
}
