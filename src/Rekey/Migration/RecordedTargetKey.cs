using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Migration;

/// <summary>A run found a cutover recorded for another target key than its own; it stopped before its next change.</summary>
public sealed class TargetKeyMismatchException : Exception
{
    public TargetKeyMismatchException()
    {
    }

    public TargetKeyMismatchException(string message)
        : base(message)
    {
    }

    public TargetKeyMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Wherever a run adopts or resumes what a fence recorded, the recorded target key must be the key this run
/// was given: a run never cuts over onto a key its operator did not ask for.
/// </summary>
public static class RecordedTargetKey
{
    /// <summary>Stops <paramref name="run"/> when <paramref name="state"/> recorded a target key other than <paramref name="targetKeyArn"/>.</summary>
    public static void EnsureSame(RekeyRun run, string step, MigrationState state, string targetKeyArn)
    {
        if (state.TargetKeyArn is { } recorded && !string.Equals(recorded, targetKeyArn, StringComparison.Ordinal))
        {
            throw new TargetKeyMismatchException(Refusal(run, step, state.RecordedRunId, recorded, targetKeyArn));
        }
    }

    /// <summary>Names both keys, the run that recorded the cutover's key, and the two ways on.</summary>
    public static string Refusal(RekeyRun run, string step, string? recordedBy, string recordedKey, string givenKey)
    {
        var given = run.Settings.KmsKey is { } reference && !string.Equals(reference.Value, givenKey, StringComparison.Ordinal)
            ? $"--kms-key {reference} ({givenKey})"
            : $"--kms-key {givenKey}";
        var recorder = recordedBy is null ? "an earlier run" : recordedBy == run.RunId ? $"this run ({recordedBy}) earlier" : $"run {recordedBy}";
        var resume = recordedBy is null ? string.Empty : $" --run-id={recordedBy}";
        return $"{step} refused: the cutover of {run.ClusterId} under way was recorded by {recorder} for target key {recordedKey} (tag {RekeyTags.TargetKey}), "
            + $"but run {run.RunId} was given {given}. A run never cuts over onto a key other than its own, so this run stopped before its next change. "
            + $"Either finish that cutover with its key (Cutover{resume} --kms-key={recordedKey}) or roll it back (Rollback{resume}), "
            + $"then run again with {given}; or, if {recordedKey} is the key you want, rerun with --kms-key={recordedKey}.";
    }
}
