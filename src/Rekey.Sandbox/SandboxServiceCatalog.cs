using Rekey.Sandbox.ApplicationAutoScaling;
using Rekey.Sandbox.Backup;
using Rekey.Sandbox.CloudWatch;
using Rekey.Sandbox.Control;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.DataPlane;
using Rekey.Sandbox.Dns;
using Rekey.Sandbox.IdentityManagement;
using Rekey.Sandbox.KeyManagementService;
using Rekey.Sandbox.Organizations;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;
using Rekey.Sandbox.SNS;
using Rekey.Sandbox.SecurityToken;

namespace Rekey.Sandbox;

/// <summary>
/// Every service and component of the sandbox. Adding a service is one line here (see
/// docs/sandbox.md): <see cref="AddSandboxService{T}"/> for a class that serves an AWS API,
/// <see cref="AddSandboxComponent{T}"/> for its state. Both also register the class as
/// <see cref="IStatefulComponent"/>, <see cref="IClockDriven"/> and <see cref="ISandboxControlApi"/>
/// when it implements them.
/// </summary>
public static class SandboxServiceCatalog
{
    public static IServiceCollection AddSandboxServices(this IServiceCollection services)
    {
        // Core: the clock, accounts, keys, faults, call record and DNS every service shares.
        services.AddSandboxComponent<SandboxOrganizations>();
        services.AddSandboxComponent<KmsKeyStore>();
        services.AddSingleton<IKeyRegistry>(sp => sp.GetRequiredService<KmsKeyStore>());
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<CallLog>();
        services.AddSingleton<ChaosMode>();
        services.AddSingleton<ApiRateLimiter>();
        services.AddSandboxComponent<DnsZone>();
        services.AddSandboxComponent<CoreControlApi>();
        services.AddSandboxComponent<RateLimitControlApi>();

        services.AddSandboxService<StsService>();
        services.AddSandboxComponent<StsSessions>();

        // Before RdsState: a real-engine cluster becomes available only once its server is.
        services.AddSandboxComponent<PostgresDataPlaneGate>();
        services.AddSandboxComponent<RdsState>();
        services.AddSandboxComponent<SimulatedApplications>();
        // After RdsState: it follows the clusters' state once their transitions for the moment are applied.
        services.AddSandboxComponent<PostgresDataPlane>();
        services.AddSandboxComponent<RdsControlApi>();
        services.AddSandboxService<RdsService>();
        services.AddSandboxService<DataApiService>();

        services.AddSandboxService<KmsService>();
        services.AddSandboxComponent<BackupState>();
        services.AddSandboxService<BackupService>();
        services.AddSandboxComponent<BackupControlApi>();
        services.AddSandboxComponent<SnsState>();
        services.AddSandboxService<SnsService>();
        services.AddSandboxComponent<SimulatedRdsMetrics>();
        services.AddSandboxService<CloudWatchService>();
        services.AddSandboxService<OrganizationsService>();
        services.AddSandboxComponent<OrganizationsControlApi>();
        services.AddSandboxComponent<IamRoles>();
        services.AddSandboxService<IamService>();
        services.AddSandboxComponent<ScalableTargets>();
        services.AddSandboxService<ApplicationAutoScalingService>();

        // kms, backup, sns and monitoring register here, each from its own folder.
        return services;
    }

    /// <summary>Registers a service that serves an AWS API (routed by its SigV4 signing name).</summary>
    public static IServiceCollection AddSandboxService<T>(this IServiceCollection services)
        where T : class, ISandboxService
    {
        services.AddSandboxComponent<T>();
        services.AddSingleton<ISandboxService>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>Registers a singleton and the sandbox roles it implements.</summary>
    public static IServiceCollection AddSandboxComponent<T>(this IServiceCollection services)
        where T : class
    {
        services.AddSingleton<T>();
        if (typeof(IStatefulComponent).IsAssignableFrom(typeof(T)))
        {
            services.AddSingleton(sp => (IStatefulComponent)sp.GetRequiredService<T>());
        }

        if (typeof(IClockDriven).IsAssignableFrom(typeof(T)))
        {
            services.AddSingleton(sp => (IClockDriven)sp.GetRequiredService<T>());
        }

        if (typeof(ISandboxControlApi).IsAssignableFrom(typeof(T)))
        {
            services.AddSingleton(sp => (ISandboxControlApi)sp.GetRequiredService<T>());
        }

        return services;
    }
}
