using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Runtime;
using Rekey.Clusters;
using Rekey.Migration;
using Rekey.RestoreSwap;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Safety;
using Rekey.Waiting;

namespace Rekey.Forecast;

/// <summary>What one dress rehearsal measured and what it cost.</summary>
public sealed record DressRehearsalResult(string ClusterId, string DressClusterId, string TargetKeyArn, DressRehearsalRecord Record, DateTimeOffset EndedAt)
{
    /// <summary>From the restore's start to the throw-away cluster's deletion, on AWS's clock: what it is billed for.</summary>
    public TimeSpan Ran => EndedAt - Record.StartedAt;

    /// <summary>The copy's key was read and is the target key; false when a resumed run found the copy gone and could not read it.</summary>
    public bool KeyChecked { get; init; } = true;
}

/// <summary>
/// Restores a throw-away copy of the cluster at its latest restorable time with the target key, creates its
/// writer with the source writer's class, measures both on AWS's clock, checks the copy's key and deletes it.
/// The source cluster gets only tags (its lock and the measured times). Every look starts from AWS, so a
/// rerun after a crash finds the copy and finishes or deletes it.
/// </summary>
public static class DressRehearsal
{
    /// <summary>Changes only its throw-away copy, and the source's rekey: tags (its lock and measurements).</summary>
    public static StepRules Rules { get; } = StepRules.Of(
        "DressRehearsal", LockRule.Hold, ClusterExpectation.SourceExists, checksTargetKey: false,
        StepRules.RdsTags, StepRules.Rds(
            nameof(IAmazonRDS.RestoreDBClusterToPointInTimeAsync),
            nameof(IAmazonRDS.CreateDBInstanceAsync),
            nameof(IAmazonRDS.DeleteDBInstanceAsync),
            nameof(IAmazonRDS.DeleteDBClusterAsync),
            nameof(IAmazonRDS.ModifyDBClusterAsync)));

    /// <summary>
    /// Every reason a dress rehearsal of the run's cluster cannot start, read only. Preflight asks it too, so that a
    /// refusal comes before PrepareKey creates anything.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new ClusterReader(run.Rds);
        var clusterId = run.ClusterId;
        var name = DressRehearsalCluster.NameFor(clusterId);
        var writerName = DressRehearsalCluster.WriterNameFor(clusterId);
        var problems = new List<string>();

        var source = await reader.FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false);
        if (source is null)
        {
            return [$"DB cluster {clusterId} does not exist in {run.Region.SystemName}; check --cluster, --region and the account."];
        }

        if (source.Tag(RekeyTags.Role) is { } role)
        {
            problems.Add($"DB cluster {clusterId} is Rekey's {role} cluster of a cutover under way; a dress rehearsal is for before the cutover.");
        }

        var dress = await reader.FindClusterAsync(name, cancellationToken).ConfigureAwait(false);
        if (dress is not null && !DressRehearsalCluster.IsDressRehearsalOf(dress, clusterId))
        {
            problems.Add(
                $"A cluster named {name} exists and is not Rekey's dress rehearsal of {clusterId} (no {RekeyTags.Role}={DressRehearsalCluster.Role} and {RekeyTags.Source}={clusterId} tags); "
                + "nothing was changed. Rename or delete it, then run DressRehearsal again.");
        }

        var dressWriter = await reader.FindInstanceAsync(writerName, cancellationToken).ConfigureAwait(false);
        if (dressWriter is not null && dressWriter.DBClusterIdentifier != name)
        {
            problems.Add(
                $"An instance named {writerName} exists in cluster {dressWriter.DBClusterIdentifier}; the dress rehearsal needs the name. Nothing was changed. Rename or delete that instance.");
        }

        if (!(await reader.InstancesOfAsync(clusterId, cancellationToken).ConfigureAwait(false)).Any(i => i.DBInstanceIdentifier == source.WriterId()))
        {
            problems.Add($"DB cluster {clusterId} has no writer instance; the dress rehearsal creates its copy's writer with the writer's class.");
        }

        return problems;
    }

    public static async Task<DressRehearsalResult> RunAsync(RekeyRun run, string keyArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var problems = await ProblemsAsync(run, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        // Read again for the run: ProblemsAsync proved each of these is there and fit.
        var reader = new ClusterReader(run.Rds);
        var clusterId = run.ClusterId;
        var copy = new Copy(DressRehearsalCluster.NameFor(clusterId), DressRehearsalCluster.WriterNameFor(clusterId), keyArn);
        var source = (await reader.FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false))!;
        var dress = await reader.FindClusterAsync(copy.Name, cancellationToken).ConfigureAwait(false);
        var writer = (await reader.InstancesOfAsync(clusterId, cancellationToken).ConfigureAwait(false)).First(i => i.DBInstanceIdentifier == source.WriterId());

        await ClusterLock.AcquireAsync(run, source, cancellationToken).ConfigureAwait(false);

        var record = DressRehearsalRecord.From(source) is { } earlier && earlier.RunId == run.RunId ? earlier : null;
        var checks = new Checks.Checklist();
        if (record is null)
        {
            record = await MeasureCopyAsync(run, reader, source, writer, dress, copy, checks, cancellationToken).ConfigureAwait(false);
        }
        else if (dress is not null)
        {
            // Measured by this run before it stopped; the copy is still there to read.
            CheckKey(checks, copy, dress);
        }
        else
        {
            // Supplementary: the times are the rehearsal's result; Preflight checks the key policy before any cutover.
            checks.NotMeasuredBecause(
                copy.KeyCheck,
                "this run measured the copy before it stopped, and the copy was deleted since, so its key cannot be read now.",
                $"run DressRehearsal again with a new --run-id to restore and check a new copy; Preflight checks that the key policy lets RDS use {keyArn}.",
                essential: false);
        }

        var endedAt = await DeleteAsync(run, reader, copy.Name, copy.WriterName, cancellationToken).ConfigureAwait(false);
        var latest = await reader.GetClusterAsync(clusterId, cancellationToken).ConfigureAwait(false);
        await ClusterLock.ReleaseAsync(run, latest, cancellationToken).ConfigureAwait(false);
        return Result(run, record, copy, endedAt, checks);
    }

    /// <summary>
    /// The copy restored (unless it exists already) and its writer created, each measured on AWS's clock, the copy's key
    /// checked; the times go to the source's tags only when every one was measured.
    /// </summary>
    private static async Task<DressRehearsalRecord> MeasureCopyAsync(
        RekeyRun run, ClusterReader reader, DBCluster source, DBInstance writer, DBCluster? dress, Copy copy, Checks.Checklist checks, CancellationToken cancellationToken)
    {
        var (name, writerName) = (copy.Name, copy.WriterName);
        var lag = TimeSpan.Zero;
        if (dress is null)
        {
            lag = await StartRestoreAsync(run, reader, source, name, copy.KeyArn, cancellationToken).ConfigureAwait(false);
        }

        // The copy is waited for as the cutover's outage waits (dense near the expected end, every --outage-poll-interval):
        // each second it is seen late is a second its figure runs long, and the cutover's dense phase, the last 1 % of that
        // figure, would then begin after AWS had finished.
        var expected = ExpectedDurations.Of(source);
        var waitLikeTheOutage = run.Wait.DuringOutage;
        var (restored, restoredAt) = await WaitRestoredAsync(
            run, waitLikeTheOutage.Expecting(expected.Restore, expected.Source), reader, name, cancellationToken).ConfigureAwait(false);
        var started = DressRehearsalMeasures.Start(
            checks, $"the restore of {name}", "ClusterCreateTime", Utc(restored.ClusterCreateTime), restoredAt, EventsOf("db-cluster", name));
        CheckKey(checks, copy, restored);

        await CreateWriterIfMissingAsync(run, writer, writerName, name, cancellationToken).ConfigureAwait(false);
        var (instance, availableAt) = await WaitWriterAsync(
            run, waitLikeTheOutage.Expecting(expected.Instance, expected.Source), writerName, cancellationToken).ConfigureAwait(false);
        var writerStarted = DressRehearsalMeasures.Start(
            checks, $"the writer {writerName}", "InstanceCreateTime", Utc(instance.InstanceCreateTime), availableAt, EventsOf("db-instance", writerName));

        var record = new DressRehearsalRecord(run.RunId, started, restoredAt - started, availableAt - writerStarted, lag, writer.DBInstanceClass ?? "unknown");
        if (checks.Unmeasured.Count == 0)
        {
            // Only measured times are recorded: Plan and the forecast read them from these tags.
            await run.Rds.AddAsync(source.DBClusterArn!, record.ToTags(), cancellationToken).ConfigureAwait(false);
        }

        run.Journal.Add(
            "DressRehearsal",
            $"Measured on AWS's clock: restore {DressRehearsalRecord.Text(record.Restore)}, writer {DressRehearsalRecord.Text(record.Writer)} "
            + $"({record.InstanceClass}); recorded on {run.ClusterId}'s tags.");
        return record;
    }

    private static void CheckKey(Checks.Checklist checks, Copy copy, DBCluster cluster) => checks.Check(
        cluster.StorageEncrypted == true && cluster.KmsKeyId == copy.KeyArn,
        copy.KeyCheck,
        $"The dress rehearsal's copy {copy.Name} is encrypted with {cluster.KmsKeyId ?? "no key"}, not {copy.KeyArn}: the restore does not use the target key.");

    /// <summary>The checks recorded; the result when the key passed and every time was measured, else the failure.</summary>
    private static DressRehearsalResult Result(RekeyRun run, DressRehearsalRecord record, Copy copy, DateTimeOffset endedAt, Checks.Checklist checks)
    {
        var clusterId = run.ClusterId;
        run.Journal.RecordChecks("DressRehearsal", checks);
        if (checks.Failed.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", checks.Failed) + " The copy was deleted; check the key and its policy (PrepareKey).");
        }

        if (checks.Unmeasured.Count > 0)
        {
            throw new VerificationFailedException(
                $"The dress rehearsal of {clusterId} could not measure everything its forecast rests on; nothing was recorded on {clusterId}, and the copy was deleted. "
                + "Run DressRehearsal again with a new --run-id, or look where each item says:",
                checks);
        }

        var result = new DressRehearsalResult(clusterId, copy.Name, copy.KeyArn, record, endedAt) { KeyChecked = checks.NotMeasured.Count == 0 };
        RecordFacts(run, record, result);
        run.Journal.Add(
            "DressRehearsal",
            $"The copy {copy.Name} ran {DressRehearsalRecord.Text(result.Ran)} on {record.InstanceClass} and was deleted; "
            + $"forecast restore-swap outage about {DressRehearsalRecord.Text(record.RestoreSwapOutage)}.");
        return result;
    }

    /// <summary>The measured times and the forecasts, as the report's facts.</summary>
    private static void RecordFacts(RekeyRun run, DressRehearsalRecord record, DressRehearsalResult result)
    {
        run.Journal.Fact("dress-restore-seconds", record.Restore.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        run.Journal.Fact("dress-writer-seconds", record.Writer.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        run.Journal.Fact("dress-restorable-lag-seconds", record.RestorableLag.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        run.Journal.Fact("forecast-restore-swap-seconds", record.RestoreSwapOutage.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        run.Journal.Fact("forecast-blue-green-typical-seconds", DressRehearsalRecord.BlueGreenTypical.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        run.Journal.Fact("forecast-blue-green-at-most-seconds", run.Settings.SwitchoverTimeout.TotalSeconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        run.Journal.Fact("dress-instance-class", record.InstanceClass);
        run.Journal.Fact("dress-hours", result.Ran.TotalHours.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<TimeSpan> StartRestoreAsync(RekeyRun run, ClusterReader reader, DBCluster source, string name, string keyArn, CancellationToken cancellationToken)
    {
        // The lag of the latest restorable time behind AWS's now is what the cutover waits after T1.
        var answer = await reader.DescribeClusterAsync(source.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"DB cluster {source.DBClusterIdentifier} disappeared.");
        var now = answer.RequireServerDate();
        var latest = Utc(answer.DBClusters?.FirstOrDefault()?.LatestRestorableTime)
            ?? throw new InvalidOperationException($"DB cluster {source.DBClusterIdentifier} has no latest restorable time yet; wait for its first backup.");
        var request = Restore.BuildRequest(source, name, run.RunId, latest, keyArn);
        request.RestoreToTime = null;
        request.UseLatestRestorableTime = true;
        request.Tags = [.. CarriedSettings.UserTags(source.TagList), .. DressTags(run, source.DBClusterIdentifier!)];
        request.BackupRetentionPeriod = 1;
        try
        {
            await run.Rds.RestoreDBClusterToPointInTimeAsync(request, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("DressRehearsal", $"Restoring {source.DBClusterIdentifier} at its latest restorable time ({Tagging.Iso(latest)}) into {name} with key {keyArn}.");
        }
        catch (DBClusterAlreadyExistsException)
        {
            // An earlier attempt's request went through although its answer was lost.
        }

        return now > latest ? now - latest : TimeSpan.Zero;
    }

    private static async Task<(DBCluster Cluster, DateTimeOffset At)> WaitRestoredAsync(
        RekeyRun run, Waiter wait, ClusterReader reader, string name, CancellationToken cancellationToken) =>
        await wait.UntilAsync(
            $"the dress rehearsal's restore {name}",
            run.Wait.Settings.RestoreDeadline,
            async token =>
            {
                var answer = await reader.DescribeClusterAsync(name, token).ConfigureAwait(false);
                var cluster = answer?.DBClusters?.FirstOrDefault();
                if (cluster is not null && Restore.FailedStates.Split(',').Contains(cluster.Status, StringComparer.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The dress rehearsal's restore {name} ended {cluster.Status}; delete it (run DressRehearsal again after fixing the cause).");
                }

                return cluster is not null && cluster.IsAvailable()
                    ? Probe<(DBCluster, DateTimeOffset)>.Ready((cluster, answer!.RequireServerDate()), "available")
                    : Probe<(DBCluster, DateTimeOffset)>.NotYet(default, cluster?.Status ?? "not visible yet");
            },
            cancellationToken).ConfigureAwait(false);

    private static async Task CreateWriterIfMissingAsync(RekeyRun run, DBInstance writer, string writerName, string name, CancellationToken cancellationToken)
    {
        if (await new ClusterReader(run.Rds).FindInstanceAsync(writerName, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        var request = CreateInstances.BuildRequest(writer, writerName, name);
        request.Tags = [.. request.Tags ?? [], .. DressTags(run, run.ClusterId)];
        try
        {
            await run.Rds.CreateDBInstanceAsync(request, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("DressRehearsal", $"Creating the copy's writer {writerName} ({writer.DBInstanceClass}).");
        }
        catch (DBInstanceAlreadyExistsException)
        {
            // An earlier attempt's request went through although its answer was lost.
        }
    }

    private static async Task<(DBInstance Instance, DateTimeOffset At)> WaitWriterAsync(RekeyRun run, Waiter wait, string writerName, CancellationToken cancellationToken) =>
        await wait.UntilAsync(
            $"the dress rehearsal's writer {writerName}",
            run.Wait.Settings.InstanceDeadline,
            async token =>
            {
                var answer = await run.Rds.DescribeDBInstancesAsync(
                    new DescribeDBInstancesRequest { Filters = [new Filter { Name = "db-instance-id", Values = [writerName] }] },
                    token).ConfigureAwait(false);
                var instance = answer.DBInstances?.FirstOrDefault();
                if (instance?.DBInstanceStatus is "failed" or "incompatible-parameters" or "incompatible-network")
                {
                    throw new InvalidOperationException($"The dress rehearsal's writer {writerName} ended {instance.DBInstanceStatus}; run DressRehearsal again to delete the copy.");
                }

                return instance is not null && instance.IsAvailable()
                    ? Probe<(DBInstance, DateTimeOffset)>.Ready((instance, answer.RequireServerDate()), "available")
                    : Probe<(DBInstance, DateTimeOffset)>.NotYet(default, instance?.DBInstanceStatus ?? "not visible yet");
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the copy's writer, then the copy (no final snapshot, deletion protection off); returns AWS's time when it was gone.</summary>
    private static async Task<DateTimeOffset> DeleteAsync(RekeyRun run, ClusterReader reader, string name, string writerName, CancellationToken cancellationToken)
    {
        if (await reader.FindInstanceAsync(writerName, cancellationToken).ConfigureAwait(false) is { } instance && instance.DBInstanceStatus != "deleting")
        {
            await run.Rds.DeleteDBInstanceAsync(new DeleteDBInstanceRequest { DBInstanceIdentifier = writerName, SkipFinalSnapshot = true }, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("DressRehearsal", $"Deleting the copy's writer {writerName}.");
        }

        await run.Wait.UntilAsync(
            $"the dress rehearsal's instances to be deleted",
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var left = await reader.InstancesOfAsync(name, token).ConfigureAwait(false);
                return left.Count == 0 ? Probe<bool>.Ready(true, "none left") : Probe<bool>.NotYet(false, $"{left.Count} left");
            },
            cancellationToken).ConfigureAwait(false);

        if (await reader.FindClusterAsync(name, cancellationToken).ConfigureAwait(false) is { } cluster && cluster.Status != "deleting")
        {
            if (cluster.DeletionProtection == true)
            {
                await run.Rds.ModifyDBClusterAsync(
                    new ModifyDBClusterRequest { DBClusterIdentifier = name, DeletionProtection = false, ApplyImmediately = true },
                    cancellationToken).ConfigureAwait(false);
            }

            await run.Rds.DeleteDBClusterAsync(new DeleteDBClusterRequest { DBClusterIdentifier = name, SkipFinalSnapshot = true }, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("DressRehearsal", $"Deleting the copy {name} without a final snapshot.");
        }

        return await run.Wait.UntilAsync(
            $"the dress rehearsal's copy {name} to be deleted",
            run.Wait.Settings.DeleteDeadline,
            async token =>
            {
                var answer = await reader.DescribeClusterAsync(name, token).ConfigureAwait(false);
                return answer?.DBClusters?.FirstOrDefault() is { } left
                    ? Probe<DateTimeOffset>.NotYet(default, left.Status ?? "unknown")
                    : Probe<DateTimeOffset>.Ready(await AwsClock.NowAsync(run, token).ConfigureAwait(false), "deleted");
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static List<Tag> DressTags(RekeyRun run, string clusterId) =>
    [
        new Tag { Key = RekeyTags.Role, Value = DressRehearsalCluster.Role },
        new Tag { Key = RekeyTags.Source, Value = clusterId },
        new Tag { Key = RekeyTags.RunId, Value = run.RunId },
    ];

    private static string EventsOf(string sourceType, string id) =>
        $"the RDS events of {id} (aws rds describe-events --source-type {sourceType} --source-identifier {id} --duration 1440): the time it was created and the time it became available";

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    /// <summary>The throw-away copy's names and the key it must be encrypted with.</summary>
    private sealed record Copy(string Name, string WriterName, string KeyArn)
    {
        public string KeyCheck => $"the copy {Name} is encrypted with {KeyArn}";
    }
}
