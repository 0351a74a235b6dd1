using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Sandbox;
using Rekey.Sandbox.DataPlane;

namespace Rekey.Build.Tasks;

/// <summary>Serves the sandbox (a local AWS look-alike) until Ctrl+C, for rehearsals with the AWS CLI or the other targets.</summary>
[TaskName("Sandbox")]
[TaskDescription("Serves the local AWS sandbox on 127.0.0.1:4566 (DNS on 4553) until Ctrl+C.")]
public sealed class SandboxTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        // The sandbox's own command line decides auto|postgres|model (auto: the real engine when its programs are installed).
        var requested = context.Arguments.GetArguments("data-plane").LastOrDefault() ?? "auto";
        SandboxOptions options;
        try
        {
            options = CommandLine.Parse(["--data-plane", requested]) with { ConsoleLogging = true };
        }
        catch (ArgumentException error)
        {
            throw new Configuration.InvalidArgumentsException(error.Message, error);
        }

        await using var sandbox = await SandboxServer.StartAsync(options);
        context.Log.Information(
            "Data plane: {0}",
            options.DataPlane == DataPlaneMode.Postgres
                ? "postgres (each aurora-postgresql cluster is a real PostgreSQL server on its own loopback address; aurora-mysql stays on the model)"
                : "model (no database server behind the endpoints; --data-plane=postgres needs PostgreSQL's server programs)");
        context.Log.Information("Sandbox ready: {0} (DNS on 127.0.0.1:{1}). Try:", sandbox.BaseUrl, sandbox.DnsPort);
        context.Log.Information("  AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url {0} rds describe-db-clusters", sandbox.BaseUrl);
        context.Log.Information("Press Ctrl+C to stop.");

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            context.Log.Information("Sandbox stopped.");
        }
    }
}
