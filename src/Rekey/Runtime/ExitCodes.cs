using Amazon.Runtime;
using Rekey.Backup;
using Rekey.Configuration;
using Rekey.Migration;
using Rekey.State;
using Rekey.Waiting;

namespace Rekey.Runtime;

/// <summary>
/// The process's exit codes, so a workflow or a script can tell why a run stopped without reading its log.
/// The table is the single source: the host maps a run's failure through <see cref="For"/>, and README.md lists it.
/// </summary>
public static class ExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int InvalidArguments = 2;
    public const int RefusedByPreflight = 3;
    public const int ClusterLocked = 4;
    public const int AwsFailure = 5;
    public const int WaitTimedOut = 6;
    public const int VerificationFailed = 7;
    public const int BackupJobFailed = 8;

    /// <summary>128 + SIGINT, as shells report an interrupted command; also used for SIGTERM and a cancelled job.</summary>
    public const int Cancelled = 130;

    public static IReadOnlyList<(int Code, string Meaning)> Table { get; } =
    [
        (Succeeded, "every step succeeded"),
        (Failed, "a step failed for another reason (the log and the report say why)"),
        (InvalidArguments, "bad arguments or environment (an unknown target, an option without its value, a word that is no option, a value outside ASCII, a Region the AWS SDK does not know, "
            + "an artifacts folder that cannot be written); nothing was done"),
        (RefusedByPreflight, "Preflight or BackupPreflight refused the cluster, what the cutover would do is not the approved plan (--approved-plan), "
            + "or a step found a cutover recorded for another target key or the cluster in another state than it expects; nothing was changed"),
        (ClusterLocked, "another run holds the cluster's lock (whichever step, Preflight included, found it)"),
        (AwsFailure, "AWS refused or failed a request"),
        (WaitTimedOut, "AWS did not reach the awaited state in time; rerun to resume"),
        (VerificationFailed, "a verification failed or could not be made: a check failed, a check the verdict rests on was not measured (no data is not a pass), "
            + "or AWS shows the cluster on another key than the run's"),
        (BackupJobFailed, "an AWS Backup job did not complete"),
        (Cancelled, "cancelled (SIGINT, SIGTERM or a cancelled job) at a safe point; rerun to resume"),
    ];

    /// <summary>The exit code for a run that stopped with <paramref name="exception"/>.</summary>
    public static int For(Exception exception) => exception switch
    {
        InvalidArgumentsException => InvalidArguments,
        // Another run's lock is the reason to wait, whichever step found it.
        PreflightFailedException { Report.HeldBy: not null } => ClusterLocked,
        PreflightFailedException or BackupPreflightFailedException => RefusedByPreflight,

        // The refusal Preflight gives a resume with another key, found later by a step: not ClusterLocked, since waiting
        // for another run cannot help; only other input (the recorded key) or a rollback of the recorded cutover can.
        TargetKeyMismatchException => RefusedByPreflight,

        // What the cutover would do is not the plan that was approved (--approved-plan): refused before any change.
        PlanChangedException => RefusedByPreflight,

        // The change guard found the cluster in another state than the step expects: refused before the change, like Preflight.
        Safety.UnexpectedClusterStateException => RefusedByPreflight,
        ClusterLockedException => ClusterLocked,
        WaitTimeoutException => WaitTimedOut,

        // A switchover AWS rolled back: at its timeout the awaited state never came; at a guardrail AWS refused it.
        BlueGreen.SwitchoverFailedException { TimedOut: true } => WaitTimedOut,
        BlueGreen.SwitchoverFailedException => AwsFailure,
        VerificationFailedException => VerificationFailed,
        BackupJobFailedException => BackupJobFailed,
        OperationCanceledException => Cancelled,
        AmazonServiceException => AwsFailure,
        _ => Failed,
    };
}
