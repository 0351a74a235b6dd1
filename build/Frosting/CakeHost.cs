using System.Reflection;
using System.Runtime.InteropServices;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Frosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cake.Frosting;

/// <summary>
/// Parses the command line, discovers the task classes, and runs the requested targets on the Cake engine.
/// </summary>
public sealed class CakeHost
{
    private readonly ServiceCollection _services = new();
    private readonly List<Assembly> _assemblies = [];
    private readonly List<(string Usage, string Description)> _argumentsHelp = [];
    private ExitCodeMap? _exitCodes;
    private HostVersion? _version;
    private IAnsiConsole _console = ProcessConsole.Output();
    private IAnsiConsole _errorConsole = ProcessConsole.Error();

    public static CakeHost Create()
    {
        var host = new CakeHost();
        var entry = Assembly.GetEntryAssembly();
        return entry is null ? host : host.AddAssembly(entry);
    }

    /// <summary>Adds an assembly whose public, non-abstract <see cref="IFrostingTask"/> classes become tasks.</summary>
    public CakeHost AddAssembly(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    public CakeHost ConfigureServices(Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(_services);
        return this;
    }

    /// <summary>Sends the host's output (and error output) to the given consoles instead of the process's.</summary>
    public CakeHost UseConsole(IAnsiConsole console, IAnsiConsole? errorConsole = null)
    {
        _console = console;
        _errorConsole = errorConsole ?? console;
        return this;
    }

    /// <summary>Lists the build's own arguments under <c>--help</c>.</summary>
    public CakeHost DescribeArguments(IEnumerable<(string Usage, string Description)> arguments)
    {
        _argumentsHelp.AddRange(arguments);
        return this;
    }

    /// <summary>The first line <c>--version</c> prints (the product and its commit); without it, the entry assembly's name and version.</summary>
    public CakeHost UseVersion(string line)
    {
        _version = new HostVersion(line);
        return this;
    }

    /// <summary>Maps a failed run's exception to its exit code; without a map every failure exits 1.</summary>
    public CakeHost UseExitCodes(Func<Exception, int> map)
    {
        _exitCodes = new ExitCodeMap(map);
        return this;
    }

    public int Run(IEnumerable<string> args) => RunAsync(args).GetAwaiter().GetResult();

    /// <summary>Runs the targets the arguments name.</summary>
    /// <returns>0 when every target succeeded; otherwise the exit code the map gives the failure, or 1.</returns>
    public async Task<int> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken = default)
    {
        // One source for the run, fed by the caller and by SIGINT/SIGTERM. The first signal asks the steps to
        // stop at a safe point (and keeps the process alive for its teardown); a second one terminates as usual.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext signal)
        {
            if (!cancellation.IsCancellationRequested)
            {
                signal.Cancel = true;
                cancellation.Cancel();
            }
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var services = CreateServices();
        services.AddSingleton(new HostCancellation(cancellation.Token));
        if (_exitCodes is not null)
        {
            services.AddSingleton(_exitCodes);
        }

        if (_version is not null)
        {
            services.AddSingleton(_version);
        }

        foreach (var task in DiscoverTasks())
        {
            services.AddSingleton(typeof(IFrostingTask), task);
        }

        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(IServiceCollection), services);

        var app = new CommandApp<DefaultCommand>(registrar);
        app.Configure(config =>
        {
            config.SetApplicationName("build.sh");
            config.ConfigureConsole(_console);
            config.SetHelpProvider(new ArgumentsHelpProvider(config.Settings, _argumentsHelp));
            config.AddExample("--target=Rehearse");
            config.AddExample("--target=Plan", "--cluster=orders", "--region=eu-west-1");
            config.AddExample("--description");
        });

        var exitCode = await app.RunAsync(args, cancellation.Token).ConfigureAwait(false);

        // Spectre reports a command line it cannot parse (after printing why) as a negative code; the
        // command itself catches everything else.
        return exitCode >= 0 ? exitCode : _exitCodes?.For(new CommandLineException("The command line could not be parsed.")) ?? 1;
    }

    private ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        var collection = (ICollection<ServiceDescriptor>)services;
        services.AddCakeDiagnostics();
        services.UseCakeDefaultModules();

        // The engine's own console writes through Spectre, so that output can be redirected as a whole.
        services.AddSingleton(_console);
        services.AddSingleton<IConsole>(new SpectreCakeConsole(_console, _errorConsole));
        services.AddSingleton<ICakeConfiguration>(new CakeConfiguration(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            // Several targets share one dependency graph, so a step they both need runs once.
            ["Settings_UnifiedDependencyGraphForMultipleTargets"] = "true",
        }));
        services.AddSingleton<IVersionResolver, VersionResolver>();

        services.AddSingleton<FrostingContext>();
        services.AddSingleton<IFrostingContext>(provider => provider.GetRequiredService<FrostingContext>());

        foreach (var descriptor in _services)
        {
            collection.Add(descriptor);
        }

        return services;
    }

    private IEnumerable<Type> DiscoverTasks() =>
        _assemblies
            .Distinct()
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
}
