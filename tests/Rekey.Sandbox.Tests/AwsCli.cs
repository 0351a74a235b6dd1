using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rekey.Sandbox.Tests;

/// <summary>The result of one AWS CLI run.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The parsed output; an empty object for operations with no output members.</summary>
    public JsonNode Json => string.IsNullOrWhiteSpace(Stdout) ? new JsonObject() : JsonNode.Parse(Stdout)!;

    /// <summary>The AWS error code the CLI reported ("An error occurred (Code) when calling ...").</summary>
    public string? ErrorCode => Regex.Match(Stderr, @"An error occurred \((?<code>[^)]+)\)") is { Success: true } m ? m.Groups["code"].Value : null;
}

/// <summary>
/// Runs the AWS CLI (a foreign client: botocore parses every response with AWS's own models)
/// against the sandbox, with credentials from the environment only.
/// </summary>
/// <remarks>
/// With an <see cref="AwsCliSession"/> the commands run in one long-lived Python process through
/// the CLI's own driver (same parsing, models, signing and output) without Python's start-up cost.
/// </remarks>
internal sealed class AwsCli(Uri endpoint, string accessKeyId = "111111111111", string region = "us-east-1", string? sessionToken = null, AwsCliSession? session = null)
{
    // A pyenv shim costs a shell and a pyenv lookup per run; the script it points to does not.
    private static readonly Lazy<string> Executable = new(() =>
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "aws"))
            .FirstOrDefault(File.Exists);
        if (onPath is null || !onPath.Contains("/.pyenv/shims/", StringComparison.Ordinal))
        {
            return onPath ?? "aws";
        }

        using var which = Process.Start(new ProcessStartInfo("pyenv", "which aws") { RedirectStandardOutput = true, UseShellExecute = false });
        var target = which?.StandardOutput.ReadToEnd().Trim();
        which?.WaitForExit();
        return which?.ExitCode == 0 && File.Exists(target) ? target : onPath;
    });

    public AwsCli As(string accessKeyId, string? sessionToken = null) => new(endpoint, accessKeyId, region, sessionToken, session);

    public AwsCli InRegion(string otherRegion) => new(endpoint, accessKeyId, otherRegion, sessionToken, session);

    /// <summary>Runs a command that must succeed and returns its JSON output.</summary>
    public async Task<JsonNode> JsonAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}");
        }

        return result.Json;
    }

    /// <summary>Runs a command that must fail with an AWS error and returns the error code.</summary>
    public async Task<CliResult> FailureAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        if (result.ExitCode == 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} succeeded but was expected to fail: {result.Stdout}");
        }

        return result;
    }

    public async Task<CliResult> RunAsync(params string[] arguments)
    {
        if (session is not null)
        {
            return await session.RunAsync(accessKeyId, sessionToken, region, ["--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json", .. arguments]);
        }

        var start = new ProcessStartInfo(Executable.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(endpoint.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what this test says: no profile, no config file, no other endpoint.
        foreach (var name in new[] { "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_REGION" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "sandbox-secret";
        start.Environment["AWS_DEFAULT_REGION"] = region;
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_PAGER"] = string.Empty;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        if (sessionToken is not null)
        {
            start.Environment["AWS_SESSION_TOKEN"] = sessionToken;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the AWS CLI.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
