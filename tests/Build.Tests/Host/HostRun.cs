using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Testing;

namespace Rekey.Build.Tests.Host;

/// <summary>Runs a Cake host in-process with a captured console and returns what happened.</summary>
public sealed record HostRun(int ExitCode, string Output, IReadOnlyList<string> Journal)
{
    public static async Task<HostRun> RunAsync(CakeHost host, params string[] args)
    {
        var journal = new Journal();
        var console = new TestConsole();
        console.Profile.Width = 200;
        host.UseConsole(console)
            .ConfigureServices(services => services.AddSingleton(journal));

        var exitCode = await host.RunAsync(args);
        return new HostRun(exitCode, console.Output, journal.Entries);
    }

    /// <summary>A host with the sample tasks, the plain Frosting context and recording lifetimes.</summary>
    public static CakeHost SampleHost() =>
        new CakeHost()
            .UseTask<FetchTask>()
            .UseTask<TransformTask>()
            .UseTask<StoreTask>()
            .UseTask<AuditTask>()
            .UseTask<OptionalTask>()
            .UseTask<AfterOptionalTask>()
            .UseTask<ExplodeTask>()
            .UseTask<AfterExplodeTask>()
            .UseTask<ExplodeHandledTask>()
            .UseTask<AfterExplodeHandledTask>()
            .UseTask<ExplodeRethrownTask>()
            .UseTask<AfterExplodeRethrownTask>()
            .UseTask<ExplodeContinuedTask>()
            .UseTask<AfterExplodeContinuedTask>()
            .UseLifetime<RecordingLifetime>()
            .UseTaskLifetime<RecordingTaskLifetime>();
}
