using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Build.Infrastructure;
using Rekey.Build.Lifetime;
using Rekey.Configuration;

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
                .AddSingleton(new InProcessBuild((arguments, aws, cancellationToken) =>
                    CreateHost().ConfigureServices(child => child.AddSingleton(aws)).RunAsync(arguments, cancellationToken))))
            .UseLifetime<RunLifetime>()
            .UseTaskLifetime<StepLifetime>()
            .UseExitCodes(Runtime.ExitCodes.For)
            .DescribeArguments(SettingsReader.Definitions.Select(d => (d.IsFlag ? $"--{d.Name}" : $"--{d.Name}=VALUE", d.Description)));
}
