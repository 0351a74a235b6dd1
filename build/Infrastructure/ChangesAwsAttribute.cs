namespace Rekey.Build.Infrastructure;

/// <summary>
/// Marks a task that changes AWS resources. A run that includes one refuses to start unless
/// <c>--confirm</c> names the cluster, and the workflow passes that only after its approval gate.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ChangesAwsAttribute : Attribute
{
}
