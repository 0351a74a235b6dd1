using Rekey.Aws;

namespace Rekey.Build.Infrastructure;

/// <summary>
/// Runs the build again in this process with other arguments and AWS clients (the rehearsal's Plan, Cutover and
/// Backup runs) and returns its exit code. The host's set-up (<see cref="RekeyBuild"/>) provides it, so the tasks
/// depend on no particular host.
/// </summary>
public sealed class InProcessBuild(Func<IReadOnlyList<string>, IAwsClientFactory, CancellationToken, Task<int>> run)
{
    public Task<int> RunAsync(IReadOnlyList<string> arguments, IAwsClientFactory aws, CancellationToken cancellationToken) =>
        run(arguments, aws, cancellationToken);
}
