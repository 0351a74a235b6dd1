namespace Rekey.Build.Infrastructure;

/// <summary>
/// Marks a target that is only the steps it depends on (Cutover, Backup): it has no work of its own, so
/// <c>--exclusive</c>, which skips the dependencies, would run nothing and report what did not happen.
/// Such a run is refused before the first step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class CompositeTargetAttribute : Attribute
{
}
