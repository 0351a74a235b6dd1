using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// Amazon RDS (Query, 2014-10-31) for Aurora clusters: what a key migration by rename and
/// point-in-time restore drives, with AWS's rules, error codes and timings. Element names and
/// error codes follow botocore's RDS model.
/// </summary>
public sealed partial class RdsService : QueryService
{
    private readonly RdsState _state;

    public RdsService(SandboxRuntime runtime, RdsState state)
        : base(runtime)
    {
        _state = state;
        RegisterClusterOperations();
        RegisterInstanceOperations();
        RegisterEndpointOperations();
        RegisterTagOperations();
        RegisterRoleOperations();
        RegisterGlobalClusterOperations();
        RegisterEventOperations();
        RegisterProxyOperations();
        RegisterSnapshotOperations();
        RegisterIntegrationOperations();
        RegisterParameterGroupOperations();
        RegisterBlueGreenOperations();
        RegisterHttpEndpointOperations();
    }

    public override string SigningName => "rds";

    protected override XNamespace Namespace => "http://rds.amazonaws.com/doc/2014-10-31/";

    private DateTimeOffset Now => Runtime.Clock.Now;

    private SandboxDurations Durations => Runtime.Durations;

    // ---- Shared rules ----------------------------------------------------------------------------

    /// <summary>1-63 letters, digits and hyphens, a letter first, no trailing or double hyphen; stored lowercase as AWS does.</summary>
    internal static string ValidIdentifier(string parameter, string value)
    {
        if (!IdentifierPattern().IsMatch(value))
        {
            throw RdsErrors.InvalidIdentifier(parameter);
        }

        return value.ToLowerInvariant();
    }

    private DbCluster Cluster(AwsRequestContext request, string identifier) =>
        _state.FindCluster(request.Account, request.Region, identifier) ?? throw RdsErrors.ClusterNotFound(identifier);

    private DbInstance Instance(AwsRequestContext request, string identifier) =>
        _state.FindInstance(request.Account, request.Region, identifier) ?? throw RdsErrors.InstanceNotFound(identifier);

    private string AsyncOutcome(AwsRequestContext request, string operation) =>
        Runtime.Faults.TakeAsyncOutcome(request.Service, operation) switch
        {
            FaultKind.FailAsync => PendingTransition.Fails,
            FaultKind.HangAsync => PendingTransition.Hangs,
            _ => PendingTransition.Succeeds,
        };

    /// <summary>
    /// Resolves a KmsKeyId the way RDS does: usable, enabled, symmetric, in this region, and usable by the
    /// caller through RDS (its key policy, in the key's own account too: see <see cref="IKeyRegistry.MayServiceUse"/>).
    /// </summary>
    private SandboxKey UsableKey(AwsRequestContext request, string reference)
    {
        var key = Runtime.Keys.Find(request.Account, request.Region, reference);
        if (key is null || key.Region != request.Region || !key.IsUsableForEncryption || !MayUseThroughRds(request, key))
        {
            throw KeyNotAccessible(reference);
        }

        return key;
    }

    private bool MayUseThroughRds(AwsRequestContext request, SandboxKey key) =>
        Runtime.Keys.MayServiceUse(request.Caller, key, $"rds.{request.Region}.amazonaws.com");

    private static AwsServiceException KeyNotAccessible(string reference) => new(
        "KMSKeyNotAccessibleFault",
        $"The specified KMS key [{reference}] does not exist, is not enabled or you do not have permissions to access it.");

    private static IEnumerable<RdsTag> ReadTags(QueryParameters parameters) =>
        parameters.Structures("Tags").Select(t => new RdsTag(t.Required("Key"), t.Get("Value") ?? string.Empty));

    private static List<(string Name, IReadOnlyList<string> Values)> ReadFilters(QueryParameters parameters, params string[] supported)
    {
        var filters = parameters.Structures("Filters").Select(f => (Name: f.Required("Name"), Values: f.List("Values"))).ToList();
        foreach (var (name, _) in filters)
        {
            if (!supported.Contains(name))
            {
                throw AwsServiceException.InvalidParameterValue($"Unrecognized filter name: {name}.");
            }
        }

        return filters;
    }

    /// <summary>MaxRecords (20-100, default 100) and Marker paging, as every Describe operation does.</summary>
    private static (List<T> Page, XElement? Marker) Paginate<T>(QueryParameters parameters, IEnumerable<T> items)
    {
        var max = parameters.Int("MaxRecords") ?? 100;
        if (max is < 20 or > 100)
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid value {max} for MaxRecords. Must be between 20 and 100");
        }

        var start = 0;
        if (parameters.Get("Marker") is { } marker && !int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw AwsServiceException.InvalidParameterValue($"The marker {marker} is not valid.");
        }

        var all = items.ToList();
        var page = all.Skip(start).Take(max).ToList();
        var next = start + page.Count < all.Count ? new XElement("Marker", (start + page.Count).ToString(CultureInfo.InvariantCulture)) : null;
        return (page, next);
    }

    private static (string Version, int Port, string ParameterGroup) EngineDefaults(string engine, string? version)
    {
        switch (engine)
        {
            case "aurora-postgresql":
                version ??= "16.6";
                return (version, 5432, "default.aurora-postgresql" + version.Split('.')[0]);
            case "aurora-mysql":
                version ??= "8.0.mysql_aurora.3.08.0";
                return (version, 3306, "default.aurora-mysql" + (version.StartsWith("5.7", StringComparison.Ordinal) ? "5.7" : "8.0"));
            default:
                throw AwsServiceException.InvalidParameterValue($"Invalid DB engine: {engine}. The sandbox serves Aurora (aurora-mysql, aurora-postgresql).");
        }
    }

    [GeneratedRegex("^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$")]
    private static partial Regex IdentifierPattern();
}

/// <summary>RDS errors with the wire codes and HTTP statuses of the AWS model.</summary>
internal static class RdsErrors
{
    public static AwsServiceException ClusterNotFound(string id) => new("DBClusterNotFoundFault", $"DBCluster {id} not found.", HttpStatusCode.NotFound);

    public static AwsServiceException ClusterAlreadyExists() => new("DBClusterAlreadyExistsFault", "DB Cluster already exists");

    public static AwsServiceException InvalidClusterState(string message) => new("InvalidDBClusterStateFault", message);

    public static AwsServiceException InstanceNotFound(string id) => new("DBInstanceNotFound", $"DBInstance {id} not found.", HttpStatusCode.NotFound);

    public static AwsServiceException InstanceAlreadyExists() => new("DBInstanceAlreadyExists", "DB instance already exists");

    public static AwsServiceException InvalidInstanceState(string message) => new("InvalidDBInstanceState", message);

    public static AwsServiceException SnapshotNotFound(string id) => new("DBClusterSnapshotNotFoundFault", $"DBClusterSnapshot {id} not found.", HttpStatusCode.NotFound);

    public static AwsServiceException SnapshotAlreadyExists(string id) =>
        new("DBClusterSnapshotAlreadyExistsFault", $"Cannot create the cluster snapshot because one with the identifier {id} already exists.");

    public static AwsServiceException InvalidIdentifier(string parameter) => AwsServiceException.InvalidParameterValue(
        $"The parameter {parameter} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; " +
        "and must not end with a hyphen or contain two consecutive hyphens.");
}
