using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>
/// build.sh started as a user or a CI runner starts it: <c>setsid</c> gives it a process group of its own, as a CI runner
/// gives a job, so the group can be signalled without the test; <c>env --default-signal</c> undoes a SIGINT ignored by a
/// shell that started the tests in the background (an ignored signal stays ignored across exec, and a terminal or a CI
/// runner starts the build with the default disposition). Its output is collected; it is ready at its first line that
/// <c>isReadyLine</c> accepts.
/// </summary>
internal sealed class BuildScriptProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Func<string, bool> _isReadyLine;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BuildScriptProcess(Process process, Func<string, bool> isReadyLine)
    {
        Process = process;
        _isReadyLine = isReadyLine;
    }

    public Process Process { get; }

    /// <summary>The line that made it ready.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>A cap on a stuck run, never a measure: each step waits for an event of its own.</summary>
    public CancellationTokenSource Deadline { get; } = new(TimeSpan.FromMinutes(15));

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BuildScriptProcess Start(IEnumerable<string> arguments, Func<string, bool> isReadyLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in (string[])["env", "--default-signal=INT,TERM", "bash", Path.Combine(root, "build.sh"), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.Environment.Remove("GITHUB_ACTIONS");
        var run = new BuildScriptProcess(new Process { StartInfo = start }, isReadyLine);
        run.Process.OutputDataReceived += run.Collect;
        run.Process.ErrorDataReceived += run.Collect;
        run.Process.Start();
        run.Process.BeginOutputReadLine();
        run.Process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for the ready line; fails, with the output, when the run ends first.</summary>
    public async Task<string> WaitUntilReadyAsync(string what)
    {
        // The first run of build.sh compiles the host, which on a busy machine takes minutes.
        await Task.WhenAny(Ready, Process.WaitForExitAsync(Deadline.Token)).WaitAsync(Deadline.Token);
        Assert.True(Ready.IsCompleted, $"The run ended before {what}:{Environment.NewLine}{Output}");
        return await Ready;
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. -TERM) to the pid build.sh was started as, or to its whole process group.</summary>
    public async Task SignalAsync(string signal, bool wholeGroup = false)
    {
        var pid = Process.Id.ToString(CultureInfo.InvariantCulture);
        using var kill = Process.Start("kill", wholeGroup ? [signal, "--", "-" + pid] : [signal, pid]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
        Deadline.Dispose();
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "build.sh")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("build.sh not found above " + AppContext.BaseDirectory);
    }

    private void Collect(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(e.Data);
        }

        if (_isReadyLine(e.Data))
        {
            _ready.TrySetResult(e.Data);
        }
    }
}
