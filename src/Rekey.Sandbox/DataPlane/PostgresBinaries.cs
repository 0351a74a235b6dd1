using System.Diagnostics;

namespace Rekey.Sandbox.DataPlane;

/// <summary>
/// Where PostgreSQL's server programs are, and as whom they run. PostgreSQL refuses to start as
/// root, so a sandbox running as root (CI does) runs every server program as the unprivileged
/// user the Debian package creates, <c>postgres</c> (REKEY_SANDBOX_PG_USER overrides it), through
/// util-linux's setpriv; otherwise they run as the sandbox's own user.
/// </summary>
public sealed record PostgresBinaries(string BinDirectory, string? RunAsUser)
{
    /// <summary>Finds initdb, postgres and pg_basebackup: REKEY_PG_BINDIR, then pg_config --bindir, then the newest /usr/lib/postgresql/N/bin.</summary>
    public static PostgresBinaries? Find()
    {
        var directory = new[] { Environment.GetEnvironmentVariable("REKEY_PG_BINDIR"), PgConfigBinDir() }
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(VersionOf).Select(d => Path.Combine(d, "bin"))
                : [])
            .FirstOrDefault(d => !string.IsNullOrEmpty(d) && HasServer(d));
        if (directory is null)
        {
            return null;
        }

        var user = Environment.IsPrivilegedProcess ? Environment.GetEnvironmentVariable("REKEY_SANDBOX_PG_USER") ?? "postgres" : null;
        return new PostgresBinaries(directory, user);
    }

    /// <summary>Why <see cref="Find"/> found nothing, as an instruction.</summary>
    public const string MissingMessage =
        "PostgreSQL's server programs (initdb, postgres, pg_basebackup) were not found: install them (Debian: apt-get install -y postgresql-15) " +
        "or set REKEY_PG_BINDIR to their folder, or use --data-plane=model.";

    public string Program(string name) => Path.Combine(BinDirectory, name);

    /// <summary>A process start for a server program (or any command) as the server user.</summary>
    public ProcessStartInfo StartInfo(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (RunAsUser is null)
        {
            start.FileName = program;
        }
        else
        {
            // setpriv execs the program itself, so the process id is the program's (signals reach it).
            start.FileName = "setpriv";
            foreach (var argument in (string[])["--reuid=" + RunAsUser, "--regid=" + RunAsUser, "--init-groups", "--"])
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The server user cannot read root's working directory.
        start.WorkingDirectory = "/";
        start.Environment["LC_ALL"] = "C";
        return start;
    }

    /// <summary>Runs a command to completion as the server user; throws with its output when it fails.</summary>
    public async Task RunAsync(string program, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(StartInfo(program, arguments)) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }
    }

    /// <summary>Gives a folder the root sandbox made to the server user.</summary>
    public async Task HandOverAsync(string directory)
    {
        if (RunAsUser is null)
        {
            return;
        }

        using var process = Process.Start(new ProcessStartInfo("chown", ["-R", $"{RunAsUser}:{RunAsUser}", directory]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("chown did not start.");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown -R {RunAsUser} {directory} failed: {error.Trim()} (does the user {RunAsUser} exist? set REKEY_SANDBOX_PG_USER)");
        }
    }

    private static bool HasServer(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "postgres")) && File.Exists(Path.Combine(directory, "pg_basebackup"));

    private static int VersionOf(string directory) => int.TryParse(Path.GetFileName(directory), out var version) ? version : 0;

    private static string? PgConfigBinDir()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", ["--bindir"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config is not installed.
            return null;
        }
    }
}
