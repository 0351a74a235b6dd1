using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting;

public static class CakeHostExtensions
{
    /// <summary>Tasks receive <typeparamref name="TContext"/>, built once per run.</summary>
    public static CakeHost UseContext<TContext>(this CakeHost host)
        where TContext : class, IFrostingContext =>
        host.ConfigureServices(services => services.AddSingleton<IFrostingContext, TContext>());

    public static CakeHost UseLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingLifetime =>
        host.ConfigureServices(services =>
        {
            services.AddSingleton<IFrostingLifetime, TLifetime>();
            services.AddSingleton<IFrostingSetup>(p => p.GetRequiredService<IFrostingLifetime>());
            services.AddSingleton<IFrostingTeardown>(p => p.GetRequiredService<IFrostingLifetime>());
        });

    public static CakeHost UseTaskLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingTaskLifetime =>
        host.ConfigureServices(services =>
        {
            services.AddSingleton<IFrostingTaskLifetime, TLifetime>();
            services.AddSingleton<IFrostingTaskSetup>(p => p.GetRequiredService<IFrostingTaskLifetime>());
            services.AddSingleton<IFrostingTaskTeardown>(p => p.GetRequiredService<IFrostingTaskLifetime>());
        });

    /// <summary>Registers one task class explicitly, in addition to those discovered in the added assemblies.</summary>
    public static CakeHost UseTask<TTask>(this CakeHost host)
        where TTask : class, IFrostingTask =>
        host.ConfigureServices(services => services.AddSingleton<IFrostingTask, TTask>());
}
