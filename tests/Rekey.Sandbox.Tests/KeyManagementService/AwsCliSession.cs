using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests;

/// <summary>
/// The AWS CLI kept running in one Python process: each command goes through the CLI's own
/// driver (awscli.clidriver, the code behind the <c>aws</c> command: same argument parsing,
/// botocore models, signing and output), without paying Python's start-up for every command.
/// A driver is kept per set of credentials, so commands as different accounts do not mix.
/// </summary>
internal sealed class AwsCliSession : IAsyncDisposable
{
    private const string Script = """
        import contextlib, io, json, os, sys
        from awscli.clidriver import create_clidriver

        drivers = {}
        for line in sys.stdin:
            request = json.loads(line)
            for name in request["unset"]:
                os.environ.pop(name, None)
            os.environ.update(request["env"])
            identity = json.dumps(request["env"], sort_keys=True)
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    if identity not in drivers:
                        drivers[identity] = create_clidriver()
                    code = drivers[identity].main(request["args"])
                except SystemExit as exit:
                    code = exit.code if isinstance(exit.code, int) else 1
            sys.__stdout__.write(json.dumps({"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
            sys.__stdout__.flush()
        """;

    private static readonly string[] Unset = ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_REGION"];
    private readonly Process _python;
    private readonly SemaphoreSlim _turn = new(1, 1);

    public AwsCliSession()
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        _python = Process.Start(start) ?? throw new InvalidOperationException("Could not start python3 for the AWS CLI.");
    }

    public async Task<CliResult> RunAsync(string accessKeyId, string? sessionToken, string region, IReadOnlyList<string> arguments)
    {
        var env = new JsonObject
        {
            ["AWS_ACCESS_KEY_ID"] = accessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = "sandbox-secret",
            ["AWS_DEFAULT_REGION"] = region,
            ["AWS_CONFIG_FILE"] = "/nonexistent/aws-config",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials",
            ["AWS_PAGER"] = string.Empty,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        if (sessionToken is not null)
        {
            env["AWS_SESSION_TOKEN"] = sessionToken;
        }

        var request = new JsonObject
        {
            ["unset"] = new JsonArray([.. Unset.Where(u => sessionToken is null || u != "AWS_SESSION_TOKEN").Select(u => (JsonNode)u)]),
            ["env"] = env,
            ["args"] = new JsonArray([.. arguments.Select(a => (JsonNode)a)]),
        };
        await _turn.WaitAsync();
        try
        {
            await _python.StandardInput.WriteLineAsync(request.ToJsonString());
            await _python.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await _python.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The AWS CLI session ended.");
            var answer = JsonNode.Parse(line)!;
            return new CliResult(answer["exit"]!.GetValue<int>(), answer["stdout"]!.GetValue<string>(), answer["stderr"]!.GetValue<string>());
        }
        catch (JsonException error)
        {
            throw new InvalidOperationException("The AWS CLI session answered something that is not JSON.", error);
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _python.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _python.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _python.Kill();
        }

        _python.Dispose();
        _turn.Dispose();
    }
}

/// <summary>The AWS CLI against the sandbox, as one account (or STS session) in one region, through an <see cref="AwsCliSession"/>.</summary>
internal sealed class SessionCli(AwsCliSession session, Uri endpoint, string accessKeyId = "111111111111", string region = "us-east-1", string? sessionToken = null)
{
    public SessionCli As(string otherAccessKeyId, string? otherSessionToken = null) => new(session, endpoint, otherAccessKeyId, region, otherSessionToken);

    public SessionCli InRegion(string otherRegion) => new(session, endpoint, accessKeyId, otherRegion, sessionToken);

    public Task<CliResult> RunAsync(params string[] arguments) =>
        session.RunAsync(accessKeyId, sessionToken, region, ["--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json", .. arguments]);

    /// <summary>Runs a command that must succeed and returns its JSON output.</summary>
    public async Task<JsonNode> JsonAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}");
        }

        return result.Stdout.Length == 0 ? new JsonObject() : result.Json;
    }

    /// <summary>Runs a command that must fail with an AWS error.</summary>
    public async Task<CliResult> FailureAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (result.ExitCode == 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} succeeded but was expected to fail: {result.Stdout}");
        }

        return result;
    }
}

/// <summary>A sandbox per test class with a running AWS CLI session against it.</summary>
public class CliSessionFixture : SandboxFixture, IAsyncLifetime
{
    private AwsCliSession? _session;

    internal SessionCli Aws { get; private set; } = null!;

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _session = new AwsCliSession();
        Aws = new SessionCli(_session, Sandbox.BaseUrl);
    }

    public new async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
