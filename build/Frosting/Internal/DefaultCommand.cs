using System.Reflection;
using Cake.Cli;
using Cake.Cli.Infrastructure;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;
using Cake.Core.Scripting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cake.Frosting.Internal;

/// <summary>Builds the engine for one run, then runs, dry-runs, describes or draws the requested targets.</summary>
internal sealed class DefaultCommand(IServiceCollection services) : AsyncCommand<DefaultCommandSettings>
{
    public const string DefaultTarget = "Default";

    public override async Task<int> ExecuteAsync(CommandContext context, DefaultCommandSettings settings, CancellationToken cancellationToken)
    {
        services.AddSingleton<ICakeArguments>(context.Remaining.ToCakeArguments(settings.Targets));
        services.AddSingleton(context.Remaining);
        services.AddSingleton(new RunMode(settings.DryRun, settings.Exclusive, settings.Targets.Length > 0 ? settings.Targets : [DefaultTarget]));
        await using var provider = services.BuildServiceProvider();

        var log = provider.GetRequiredService<ICakeLog>();
        log.Verbosity = settings.Verbosity;

        try
        {
            if (settings.Version)
            {
                WriteVersion(provider.GetRequiredService<IAnsiConsole>(), provider.GetService<HostVersion>());
                return 0;
            }

            var registrar = ActivatorUtilities.CreateInstance<TaskRegistrar>(provider);
            var targets = settings.Targets.Length > 0 ? settings.Targets : [DefaultTarget];
            if (!settings.Description && !settings.Tree)
            {
                CheckTargets(targets, registrar.TaskNames);
            }

            registrar.Register();

            if (await PreviewAsync(provider, settings, targets).ConfigureAwait(false) is { } previewed)
            {
                return previewed;
            }

            var host = SelectHost(provider, settings);
            if (settings.Exclusive)
            {
                host.Settings.UseExclusiveTarget();
            }

            await host.RunTargetsAsync(targets).ConfigureAwait(false);
            return 0;
        }
        catch (Exception exception)
        {
            var cause = Unwrap(exception);
            if (log.Verbosity >= Verbosity.Diagnostic)
            {
                log.Error(cause.ToString());
            }
            else
            {
                // An AWS error is named as the AWS CLI names it: code, operation, HTTP status, request id.
                log.Error("Error: {0}", Rekey.Aws.Runtime.AwsErrors.Describe(cause));
            }

            return provider.GetService<ExitCodeMap>()?.For(cause) ?? 1;
        }
    }

    /// <summary>A build's own preview of a dry run (Rekey's: read from AWS, nothing changed) instead of the engine's list of tasks.</summary>
    private static async Task<int?> PreviewAsync(IServiceProvider provider, DefaultCommandSettings settings, string[] targets)
    {
        if (!settings.DryRun || settings.Description || settings.Tree || provider.GetService<IDryRunPreview>() is not { } preview)
        {
            return null;
        }

        IReadOnlyList<string> order = settings.Exclusive
            ? targets
            : [.. CakeGraphBuilder.Build(provider.GetRequiredService<ICakeEngine>().Tasks).Traverse(targets)];
        return await preview.RunAsync(provider.GetRequiredService<IFrostingContext>(), order).ConfigureAwait(false);
    }

    private static void CheckTargets(IEnumerable<string> targets, IReadOnlyList<string> known)
    {
        var unknown = targets.Where(t => !known.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var available = string.Join(", ", known.Order(StringComparer.Ordinal));
        throw new CommandLineException(unknown.Count == 1 && unknown[0] == DefaultTarget
            ? $"No target was given. Give one with --target=NAME; the targets are: {available}."
            : $"Unknown target {string.Join(", ", unknown.Select(t => $"'{t}'"))}. The targets are: {available}.");
    }

    private static IScriptHost SelectHost(IServiceProvider provider, DefaultCommandSettings settings)
    {
        if (settings.Description)
        {
            return ActivatorUtilities.CreateInstance<DescriptionScriptHost>(provider);
        }

        if (settings.Tree)
        {
            return ActivatorUtilities.CreateInstance<TreeScriptHost>(provider);
        }

        if (settings.DryRun)
        {
            return ActivatorUtilities.CreateInstance<DryRunScriptHost<IFrostingContext>>(provider);
        }

        return ActivatorUtilities.CreateInstance<BuildScriptHost<IFrostingContext>>(provider);
    }

    private static void WriteVersion(IAnsiConsole console, HostVersion? version)
    {
        static string VersionOf(Assembly assembly) =>
            assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";

        var build = Assembly.GetEntryAssembly() ?? typeof(DefaultCommand).Assembly;
        var product = build.GetCustomAttribute<AssemblyProductAttribute>()?.Product ?? build.GetName().Name;
        console.WriteLine(version?.Line ?? $"{product} {VersionOf(build)}");
        console.WriteLine($"Cake engine {VersionOf(typeof(ICakeEngine).Assembly)}");
    }

    private static Exception Unwrap(Exception exception)
    {
        while (exception is CakeReportException or TargetInvocationException or AggregateException && exception.InnerException is not null)
        {
            exception = exception.InnerException!;
        }

        return exception;
    }
}
