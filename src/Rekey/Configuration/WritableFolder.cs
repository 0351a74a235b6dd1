namespace Rekey.Configuration;

/// <summary>
/// Whether a folder Rekey writes its reports (or policies) to can be written: checked before the first step,
/// so a run that could not leave its evidence refuses to start instead of failing after it changed AWS.
/// </summary>
public static class WritableFolder
{
    /// <summary>Creates the folder when it is missing and writes and deletes a probe file in it.</summary>
    /// <returns>Null when the folder can be written; otherwise the problem, naming the argument and what to do.</returns>
    public static string? ProblemWith(string argument, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        try
        {
            var full = Path.GetFullPath(folder);
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".rekey-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"{argument}: cannot write to the folder '{folder}' ({exception.Message}); nothing was done. "
                + $"Give a folder this user can write, e.g. {argument}=./artifacts, or fix its permissions.";
        }
    }
}
