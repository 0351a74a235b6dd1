namespace Cake.Frosting;

/// <summary>
/// The run's cancellation: cancelled when the process receives SIGINT or SIGTERM (a cancelled CI job sends
/// SIGTERM), so steps and waits stop at a safe point and the run's teardown still reports. Upstream
/// Cake.Frosting has no such service; tasks reach it through their context.
/// </summary>
public sealed class HostCancellation(CancellationToken token)
{
    public CancellationToken Token { get; } = token;
}

/// <summary>Maps the exception a run stopped with to the process's exit code.</summary>
public sealed class ExitCodeMap(Func<Exception, int> map)
{
    public int For(Exception exception) => map(exception);
}
