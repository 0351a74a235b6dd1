using System.Diagnostics;

namespace Rekey.Aws.Tests.Support;

/// <summary>Runs python3 for the facts only the Python side knows (where botocore keeps its models).</summary>
internal static class Python
{
    public static string Run(string code)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("python3 is not installed; the contract tests need python3 with botocore (pip install botocore).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"python3 failed ({process.ExitCode}): {error.Trim()}");
            }

            return output.Trim();
        }
    }
}
