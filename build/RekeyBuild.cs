using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Build.Infrastructure;
using Rekey.Build.Lifetime;
using Rekey.Configuration;
using Spectre.Console;

namespace Rekey.Build;

/// <summary>The Rekey build: its tasks, context and lifetimes on the Cake host.</summary>
public static class RekeyBuild
{
    public static CakeHost CreateHost() =>
        new CakeHost()
            .AddAssembly(typeof(RekeyBuild).Assembly)
            .UseContext<RekeyContext>()
            .ConfigureServices(services => services
                .AddSingleton<StepRecorder>()
                .AddSingleton<IDryRunPreview, DryRunPreview>()
                .AddSingleton<Cake.Core.ICakeReportPrinter, DurationReportPrinter>()
                // A child run writes to this run's console, so its log lands where this one's does.
                .AddSingleton(provider => new InProcessBuild((arguments, aws, cancellationToken) =>
                    CreateHost()
                        .UseConsole(provider.GetRequiredService<IAnsiConsole>())
                        .ConfigureServices(child => child.AddSingleton(aws))
                        .RunAsync(arguments, cancellationToken))))
            .UseVersion(Reporting.RekeyVersion.Current.ToString())
            .UseLifetime<RunLifetime>()
            .UseTaskLifetime<StepLifetime>()
            .UseExitCodes(exception => exception is CommandLineException ? Runtime.ExitCodes.InvalidArguments : Runtime.ExitCodes.For(exception))
            .DescribeArguments(SettingsReader.Definitions.Select(d => (d.IsFlag ? $"--{d.Name}" : $"--{d.Name}=VALUE", d.Description)));
}
