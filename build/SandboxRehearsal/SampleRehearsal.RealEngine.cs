using System.Globalization;
using System.Net;
using Cake.Core.Diagnostics;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox;
using Rekey.Sandbox.DataPlane;

namespace Rekey.Build.SandboxRehearsal;

/// <summary>
/// The rehearsal on the real engine: when PostgreSQL's server programs are present (or <c>--data-plane=postgres</c>),
/// each sample Aurora PostgreSQL cluster is a real server, an application inserts rows into a table with a serial key
/// through Npgsql's pool, and its proof is read from the rows of the new and old servers. Aurora MySQL stays on the model.
/// </summary>
public sealed partial class SampleRehearsal
{
    /// <summary>
    /// The Secrets Manager secret of the sample's database user that the cutover passes to the RDS Data API to advance the
    /// sequences (the sandbox, like AWS, takes any secret of the caller's account and region; its servers trust local users).
    /// </summary>
    public const string DatabaseSecretArn = $"arn:aws:secretsmanager:{Region}:{SampleAccount.Account}:secret:rekey-rehearsal-database-Rk3y9Q";

    /// <summary>The master user the sample clusters are created with: the real servers' superuser.</summary>
    private const string DatabaseUser = "app_admin";

    /// <summary>True when the sandbox runs a real PostgreSQL server for <paramref name="sample"/>.</summary>
    public static bool IsReal(SandboxOptions options, SampleCluster sample)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sample);
        return options.DataPlane == DataPlaneMode.Postgres && sample.Engine == "aurora-postgresql";
    }

    /// <summary>--data-plane: auto (the default: the real engine when PostgreSQL's server programs are present), postgres or model.</summary>
    private static DataPlaneMode ChooseDataPlane(RekeyContext context)
    {
        var value = context.Arguments.GetArguments("data-plane").LastOrDefault() ?? "auto";
        return value switch
        {
            "auto" => PostgresBinaries.Find() is null ? DataPlaneMode.Model : DataPlaneMode.Postgres,
            "postgres" => PostgresBinaries.Find() is null ? throw new ArgumentException(PostgresBinaries.MissingMessage) : DataPlaneMode.Postgres,
            "model" => DataPlaneMode.Model,
            _ => throw new ArgumentException($"--data-plane must be auto, postgres or model, not '{value}'."),
        };
    }

    /// <summary>The first line of a rehearsal: which data plane holds each sample cluster's rows, and why.</summary>
    private static string DataPlaneLine(SandboxOptions options)
    {
        if (options.DataPlane == DataPlaneMode.Postgres)
        {
            var real = string.Join(", ", SampleAccount.Clusters.Where(c => IsReal(options, c)).Select(c => c.Id));
            var model = string.Join(", ", SampleAccount.Clusters.Where(c => !IsReal(options, c)).Select(c => $"{c.Id} ({c.Engine})"));
            return $"postgres: the Aurora PostgreSQL clusters {real} are real PostgreSQL servers written through Npgsql, their proof counted in rows; "
                + $"{model} stay on the model (Aurora MySQL has no real engine here)";
        }

        return "model (no database server behind the endpoints: "
            + (PostgresBinaries.Find() is null ? "PostgreSQL's server programs are not installed; " : "chosen by --data-plane=model; ")
            + "install postgresql-15 or pass --data-plane=postgres for real rows)";
    }

    /// <summary>
    /// A real cluster's own arguments: the secret with which Rekey advances its sequences through the RDS Data API, and a
    /// switchover timeout for a green that catches up with blue in real time, where the default 300 s is half a real second
    /// at 600x: AWS's longest, 3600 s (6 real seconds).
    /// </summary>
    private string[] DatabaseArguments(SampleCluster sample) =>
        IsReal(Options, sample) ? [$"--{Configuration.ArgumentNames.DatabaseSecretArn}={DatabaseSecretArn}", "--switchover-timeout=3600"] : [];

    private static PostgresEndpoint EndpointFor(SandboxServer sandbox, SampleCluster sample) =>
        new(new IPEndPoint(IPAddress.Loopback, sandbox.DnsPort), sample.Port, DatabaseUser, password: null, database: SampleAccount.DatabaseName(sample));

    /// <summary>Creates each real cluster's table (a bigserial key) and starts its application; returns once each has acknowledged commits.</summary>
    private static async Task<Dictionary<string, PostgresApplication>> StartRealApplicationsAsync(
        RekeyContext context, SandboxServer sandbox, IAwsClientFactory aws, SandboxOptions options, CancellationToken cancellationToken)
    {
        var applications = new Dictionary<string, PostgresApplication>(StringComparer.Ordinal);
        using var rds = aws.CreateRds(RegionEndpoint);
        foreach (var sample in SampleAccount.Clusters.Where(c => IsReal(options, c)))
        {
            var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = sample.Id }, cancellationToken)).DBClusters![0];
            var application = new PostgresApplication(sample.Id, cluster.Endpoint!, EndpointFor(sandbox, sample));
            applications.Add(sample.Id, application);
            await application.CreateTableAsync(cancellationToken);
            application.Start();
            await application.WaitForMoreAsync(5, TimeSpan.FromSeconds(60), cancellationToken);
            context.Log.Information("{0}: the application inserts into {1} on {2} through Npgsql's pool", sample.Id, PostgresApplication.Table, cluster.Endpoint);
        }

        return applications;
    }

    /// <summary>
    /// The audit of a real cluster, from rows: the application's acknowledged commits against the keys in the new and old
    /// servers; the outage and strategy from the tags Rekey leaves on the old cluster (AWS time).
    /// </summary>
    private async Task<WriteAudit> AuditRowsAsync(SampleCluster sample, PostgresApplication application, CancellationToken cancellationToken)
    {
        using var rds = Aws.CreateRds(RegionEndpoint);
        var reader = new Clusters.ClusterReader(rds);
        var oldBlue = await reader.FindClusterAsync(Strategies.BlueGreenDeployments.OldBlueId(sample.Id), cancellationToken);
        var blueGreen = Strategies.BlueGreenDeployments.IsBlueOf(oldBlue, sample.Id);
        var old = blueGreen ? oldBlue! : await reader.GetClusterAsync(sample.Id + "-old", cancellationToken);
        var @new = await reader.GetClusterAsync(sample.Id, cancellationToken);

        var endpoint = EndpointFor(Sandbox, sample);
        var verdict = await RowVerdict.ReadAsync(sample.Id, endpoint, @new.Endpoint!, old.Endpoint!, application, cancellationToken);
        _verdicts[sample.Id] = verdict;
        var newAddress = await endpoint.ResolveAsync(@new.Endpoint!, cancellationToken);
        var acknowledged = application.Acknowledged;
        var audit = new WriteAudit(
            sample.Id,
            verdict.Acknowledged,
            acknowledged.Count(c => !c.Address.Equals(newAddress)),
            acknowledged.Count(c => c.Address.Equals(newAddress)),
            verdict.MissingFromNew,
            verdict.OnOldAfterSwitch);
        if (blueGreen)
        {
            var switched = TagTime(old, Strategies.BlueGreenDeployments.SwitchedAtTag);
            var started = TagTime(old, Strategies.BlueGreenDeployments.SwitchoverStartedTag);
            return audit with
            {
                Strategy = Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.BlueGreen),
                Outage = switched - started,
                OutageWindow = started is { } from && switched is { } to ? (from, to) : null,
                StartToSwitchover = switched - TagTime(old, Strategies.BlueGreenDeployments.CreatedAtTag),
            };
        }

        return audit with
        {
            Strategy = Configuration.CutoverStrategies.Name(Configuration.CutoverStrategy.RestoreSwap),
            Outage = TagTime(@new, State.RekeyTags.WriterAvailableAt) - TagTime(old, State.RekeyTags.FencedAt),
        };
    }

    /// <summary>Each real cluster's verdict in a line: rows, the inserts that failed after the switchover and why, the longest write gap.</summary>
    private void LogVerdicts(RekeyContext context)
    {
        foreach (var (cluster, verdict) in _verdicts)
        {
            var times = RealApplications[cluster].Acknowledged.Select(c => c.Time).Order().ToList();
            var gap = times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
            var reasons = string.Join("; ", verdict.FailureReasonsAfterNewAnswered.OrderByDescending(r => r.Value).Take(3).Select(r => $"{r.Value} x {r.Key}"));
            context.Log.Information(
                "{0} on real PostgreSQL: {1} rows acknowledged, {2} present in the new cluster, {3} on the old after the switch; "
                    + "{4} inserts failed after the switchover{5}, {7} of them refused by a server; longest gap between acknowledged commits {6:0.00} s of real time",
                cluster,
                verdict.Acknowledged,
                verdict.Acknowledged - verdict.MissingFromNew.Count,
                verdict.OnOldAfterSwitch.Count,
                verdict.FailedAfterNewAnswered.Count,
                reasons.Length > 0 ? $" ({reasons})" : string.Empty,
                gap.TotalSeconds,
                verdict.RefusedByNewServer.Count);
        }
    }

    private static DateTimeOffset? TagTime(DBCluster cluster, string tag) =>
        cluster.TagList?.FirstOrDefault(t => t.Key == tag)?.Value is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;
}
