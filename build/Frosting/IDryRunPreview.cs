namespace Cake.Frosting;

/// <summary>
/// What <c>--dryrun</c> does instead of listing the tasks, when the build has more to show: given the tasks the targets would
/// run, in order, it previews them and returns the exit code, or null to let the engine list them. Upstream Cake.Frosting
/// has no such service; its dry run only lists the tasks.
/// </summary>
public interface IDryRunPreview
{
    Task<int?> RunAsync(IFrostingContext context, IReadOnlyList<string> tasksInOrder);
}
