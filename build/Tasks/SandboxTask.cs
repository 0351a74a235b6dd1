using System.Globalization;
using Amazon.Runtime;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Aws;
using Rekey.Build.SandboxRehearsal;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox;
using Rekey.Sandbox.DataPlane;

namespace Rekey.Build.Tasks;

/// <summary>
/// Serves the sandbox (a local AWS look-alike) until SIGINT (Ctrl+C) or SIGTERM, for rehearsals with the AWS CLI or the
/// other targets. A signal is this target's normal end: it saves the state file when there is one and exits 0.
/// </summary>
[TaskName("Sandbox")]
[TaskDescription(
    "Serves the local AWS sandbox on 127.0.0.1:4566 (DNS on 4553) until Ctrl+C or SIGTERM: "
    + "--clock-speed=N, --state-file=PATH (kept across restarts), --sample (the rehearsal's sample account), --port, --dns-port, "
    + "--dns-address (e.g. 127.0.0.153 with --dns-port=53 as root, for a resolv.conf), --data-plane.")]
public sealed class SandboxTask : AsyncFrostingTask<RekeyContext>
{
    /// <summary>The Sandbox target's own arguments, passed on to the sandbox's command line.</summary>
    public static readonly IReadOnlyList<string> Arguments = ["data-plane", "state-file", "sample", "port", "dns-port", "dns-address"];

    public override async Task RunAsync(RekeyContext context)
    {
        var options = Options(context);
        var sandbox = await SandboxServer.StartAsync(options, context.CancellationToken);
        try
        {
            await ServeAsync(context, sandbox, options);
        }
        finally
        {
            // Disposing saves the state file.
            await sandbox.DisposeAsync();
        }

        context.Log.Information(
            "Sandbox stopped (SIGINT or SIGTERM){0}.",
            options.StateFile is { } file ? $"; its state is saved in {file}, and --state-file={file} brings it back" : string.Empty);
    }

    private static async Task ServeAsync(RekeyContext context, SandboxServer sandbox, SandboxOptions options)
    {
        context.Log.Information(
            "Data plane: {0}",
            options.DataPlane == DataPlaneMode.Postgres
                ? "postgres (each aurora-postgresql cluster is a real PostgreSQL server on its own loopback address; aurora-mysql stays on the model)"
                : "model (no database server behind the endpoints; --data-plane=postgres needs PostgreSQL's server programs)");
        context.Log.Information(
            "Clock at {0}x, now {1:yyyy-MM-ddTHH:mm:ssZ} on the sandbox's clock; state file: {2}",
            options.ClockSpeed,
            sandbox.Clock.Now,
            options.StateFile ?? "none (everything is lost when the sandbox stops)");
        if (IsOn(context, "sample"))
        {
            await SeedSampleAsync(context, sandbox);
        }

        context.Log.Information("Sandbox ready: {0} (DNS on {1}). Try:", sandbox.BaseUrl, sandbox.DnsEndPoint);
        context.Log.Information(
            "  AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url {0} rds describe-db-clusters",
            sandbox.BaseUrl);
        context.Log.Information("Press Ctrl+C or send SIGTERM to stop.");

        // The host turns the first SIGINT or SIGTERM into this token's cancellation: for a server that is its normal
        // end, so the target succeeds (exit 0) where a step that is stopped fails with 130.
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A bare flag reaches the build as an argument without a value; <c>--sample=false</c> turns it off.</summary>
    private static bool IsOn(RekeyContext context, string name) =>
        context.Arguments.HasArgument(name)
        && (context.Arguments.GetArguments(name).LastOrDefault() is not { Length: > 0 } value || (bool.TryParse(value, out var on) && on));

    /// <summary>The sandbox's options from this target's arguments, through the sandbox's own command line (exit 2 when it refuses them).</summary>
    private static SandboxOptions Options(RekeyContext context)
    {
        List<string> arguments = ["--data-plane", context.Arguments.GetArguments("data-plane").LastOrDefault() ?? "auto"];
        foreach (var name in new[] { "state-file", "port", "dns-port", "dns-address" })
        {
            if (context.Arguments.GetArguments(name).LastOrDefault() is { } value)
            {
                arguments.AddRange([$"--{name}", value]);
            }
        }

        if (context.Settings.ClockSpeed is { } speed)
        {
            arguments.AddRange(["--clock-speed", speed.ToString(CultureInfo.InvariantCulture)]);
        }

        try
        {
            return CommandLine.Parse(arguments) with { ConsoleLogging = true };
        }
        catch (ArgumentException error)
        {
            throw new Configuration.InvalidArgumentsException(error.Message, error);
        }
    }

    /// <summary>
    /// Seeds the rehearsal's sample account, unless the state file brought it back. Creating clusters and instances takes
    /// AWS minutes: the sandbox's clock is moved forward while it waits for them, so the account is ready at any clock speed.
    /// </summary>
    private static async Task SeedSampleAsync(RekeyContext context, SandboxServer sandbox)
    {
        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "sandbox"),
        });
        using (var rds = aws.CreateRds(SampleRehearsal.RegionEndpoint))
        {
            var first = SampleAccount.Clusters[0].Id;
            var existing = await new Clusters.ClusterReader(rds).FindClusterAsync(first, context.CancellationToken);
            if (existing is not null)
            {
                context.Log.Information("The sample account is already there (cluster {0} exists, from the state file); not seeded again.", first);
                return;
            }
        }

        using var api = SandboxApi.For(sandbox.BaseUrl);
        using var seeded = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var fastForward = FastForwardAsync(sandbox, seeded.Token);
        try
        {
            await SampleRehearsal.SeedSampleAccountAsync(context, aws, api, context.CancellationToken);
        }
        finally
        {
            await seeded.CancelAsync();
            await fastForward;
        }

        context.Log.Information(
            "Sample account {0} seeded in {1}: {2}",
            SampleAccount.Account,
            SampleRehearsal.Region,
            string.Join(", ", SampleAccount.Clusters.Select(c => c.Id)));
    }

    /// <summary>Moves the sandbox's clock ahead by 30 AWS seconds every 20 ms until cancelled.</summary>
    private static async Task FastForwardAsync(SandboxServer sandbox, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                sandbox.Clock.Advance(TimeSpan.FromSeconds(30));
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
