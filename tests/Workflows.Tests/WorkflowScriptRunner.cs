using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Rekey.Workflows.Tests;

/// <summary>The outcome of one job's scripts, with the job's outputs (its <c>outputs:</c> resolved from what its steps wrote to GITHUB_OUTPUT).</summary>
public sealed record JobRun(string Job, int ExitCode, string Output)
{
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    /// <summary>The outputs of the job's last local composite action call (its <c>outputs:</c> over its own steps' outputs), also when the job failed.</summary>
    public IReadOnlyDictionary<string, string> ActionOutputs { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Runs a job's <c>run:</c> steps as a GitHub runner would (bash -eo pipefail, the workflow's, job's and
/// step's env with their expressions resolved, GITHUB_OUTPUT per step), in a folder whose <c>./build.sh</c>
/// runs the build already compiled next to these tests. The run steps of a local composite action the job
/// uses run too, with the job's inputs in place (<see cref="WorkflowJob.Steps"/>). Steps that use other
/// actions are not run: the caller stands in for them (AWS credentials as environment variables, checking
/// what the upload steps would keep).
/// </summary>
public sealed partial class WorkflowScriptRunner(string workingDirectory, IReadOnlyDictionary<string, string> contexts, IReadOnlyDictionary<string, string> runnerEnvironment)
{
    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Writes the build.sh stand-in: the repository's script would compile the build again.</summary>
    public static string Prepare()
    {
        var folder = Directory.CreateTempSubdirectory("rekey-workflow-").FullName;
        var script = Path.Combine(folder, "build.sh");
        File.WriteAllText(script, $"#!/usr/bin/env bash\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "Build.dll")}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return folder;
    }

    /// <summary>Resolves <c>${{ ... }}</c> in a value: context paths, string literals and <c>||</c>, which is all the env blocks use.</summary>
    public string Resolve(string value) =>
        ExpressionPattern().Replace(value, match =>
        {
            foreach (var operand in match.Groups["expression"].Value.Split("||", StringSplitOptions.TrimEntries))
            {
                var resolved = operand.StartsWith('\'') && operand.EndsWith('\'')
                    ? operand[1..^1]
                    : contexts.TryGetValue(operand, out var known)
                        ? known
                        : operand.StartsWith("vars.", StringComparison.Ordinal) || operand.StartsWith("steps.", StringComparison.Ordinal)
                            ? string.Empty // a variable that is not set, or an output no step wrote, reads as empty
                            : throw new InvalidOperationException($"No value for '{operand}' in '{value}'.");
                if (!string.IsNullOrEmpty(resolved))
                {
                    return resolved;
                }
            }

            return string.Empty;
        });

    public async Task<JobRun> RunAsync(WorkflowJob job, TimeSpan timeout)
    {
        var output = new System.Text.StringBuilder();
        var stepOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        // A composite action's steps see only their own ids; its outputs reach the job as steps.<caller id>.outputs.*.
        var actionStepOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var actionOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in job.Steps.Where(s => s.Run is not null))
        {
            var outputFile = Path.Combine(WorkingDirectory, $"output-{Guid.NewGuid():N}");
            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["GITHUB_OUTPUT"] = outputFile };
            var scope = With(step.Caller is null ? stepOutputs : actionStepOutputs);
            foreach (var (name, value) in job.Workflow.Env.Concat(job.Env).Concat(Workflow.Scalars(Workflow.Mapping(step.Node, "env"))))
            {
                environment[name] = scope.Resolve(value);
            }

            var exitCode = await RunScriptAsync(step.Run!, environment, output, timeout);
            if (Workflow.Text(step.Node, "id") is { } id && File.Exists(outputFile))
            {
                foreach (var line in await File.ReadAllLinesAsync(outputFile))
                {
                    if (line.Split('=', 2) is [var name, var value])
                    {
                        (step.Caller is null ? stepOutputs : actionStepOutputs)[$"steps.{id}.outputs.{name}"] = value;
                    }
                }
            }

            if (step.Caller is { } caller)
            {
                var inner = With(actionStepOutputs);
                foreach (var (name, value) in CompositeAction.Load(caller.Uses!).Outputs)
                {
                    actionOutputs[name] = inner.Resolve(value);
                    if (Workflow.Text(caller.Node, "id") is { } callerId)
                    {
                        stepOutputs[$"steps.{callerId}.outputs.{name}"] = actionOutputs[name];
                    }
                }
            }

            if (exitCode != 0)
            {
                return new JobRun(job.Id, exitCode, output.ToString()) { ActionOutputs = actionOutputs };
            }
        }

        var outputs = Workflow.Scalars(Workflow.Mapping(job.Node, "outputs")).ToDictionary(o => o.Key, o => With(stepOutputs).Resolve(o.Value), StringComparer.Ordinal);
        return new JobRun(job.Id, 0, output.ToString()) { Outputs = outputs, ActionOutputs = actionOutputs };
    }

    private WorkflowScriptRunner With(IReadOnlyDictionary<string, string> stepOutputs) =>
        new(WorkingDirectory, contexts.Concat(stepOutputs).ToDictionary(StringComparer.Ordinal), runnerEnvironment);

    /// <summary>Runs a command line as an operator would in the checked-out repository, with the runner's environment.</summary>
    public async Task<JobRun> RunCommandAsync(string command, TimeSpan timeout)
    {
        var output = new System.Text.StringBuilder();
        var exitCode = await RunScriptAsync(command, new Dictionary<string, string>(), output, timeout);
        return new JobRun(command, exitCode, output.ToString());
    }

    private async Task<int> RunScriptAsync(string script, IReadOnlyDictionary<string, string> environment, System.Text.StringBuilder output, TimeSpan timeout)
    {
        var file = Path.Combine(WorkingDirectory, $"step-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(file, script);
        var start = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-eo", "pipefail", file])
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The runner's own variables only: nothing from the machine running the tests may reach AWS calls.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("REKEY_", StringComparison.Ordinal) || k.StartsWith("GITHUB_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in runnerEnvironment.Concat(environment))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            output.AppendLine($"Timed out after {timeout}.");
        }

        output.Append(await stdout).Append(await stderr);
        return process.HasExited && !deadline.IsCancellationRequested ? process.ExitCode : -1;
    }

    [GeneratedRegex(@"\$\{\{\s*(?<expression>.*?)\s*\}\}")]
    private static partial Regex ExpressionPattern();
}
