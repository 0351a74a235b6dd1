using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rekey.SandboxRehearsal;

/// <summary>A connection the sandbox's simulated application opened.</summary>
public sealed record SandboxConnection(string Id, string Endpoint, string Address, string ClusterResourceId, bool IsOpen);

/// <summary>A write attempt and where the sandbox acknowledged it.</summary>
public sealed record SandboxWrite(
    string ConnectionId,
    string Key,
    string Value,
    DateTimeOffset Time,
    bool Acknowledged,
    string? ClusterResourceId,
    string? ClusterIdentifier,
    long? Sequence,
    string? Error);

/// <summary>A write as a cluster holds it.</summary>
public sealed record ClusterWriteRecord(long Sequence, DateTimeOffset Time, string Key, string Value, string? ConnectionId);

/// <summary>A cluster as the sandbox's own API lists it.</summary>
public sealed record SandboxCluster(string Account, string Region, string Identifier, string ResourceId, string Status, string? KmsKeyId, int Writes);

/// <summary>One AWS call the sandbox served.</summary>
public sealed record SandboxCall(DateTimeOffset Time, string Account, string Region, string Service, string Operation, bool Mutating, string? ErrorCode);

/// <summary>
/// The sandbox's own HTTP API (under /_sandbox/), over the wire like any client: the rehearsal drives the
/// simulated application and reads the sandbox's records through it, sharing no code with the sandbox.
/// </summary>
public sealed class SandboxApi(HttpClient http) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static SandboxApi For(Uri baseUrl) => new(new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>Opens a connection to an endpoint name; null when the name does not resolve or refuses connections.</summary>
    public async Task<SandboxConnection?> OpenAsync(string endpoint, string account, string region, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/_sandbox/rds/connections", new { endpoint, account, region }, Json, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<SandboxConnection>(Json, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SandboxWrite> WriteAsync(string connectionId, string key, string value, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"/_sandbox/rds/connections/{connectionId}/writes", new { key, value }, Json, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SandboxWrite>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    public async Task CloseAsync(string connectionId, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"/_sandbox/rds/connections/{connectionId}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task<IReadOnlyList<ClusterWriteRecord>> ClusterWritesAsync(string account, string region, string clusterId, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<ClusterWriteRecord>>($"/_sandbox/rds/clusters/{account}/{region}/{clusterId}/writes", Json, cancellationToken).ConfigureAwait(false) ?? [];

    public async Task<IReadOnlyList<SandboxCluster>> ClustersAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<SandboxCluster>>("/_sandbox/rds/clusters", Json, cancellationToken).ConfigureAwait(false) ?? [];

    public async Task<IReadOnlyList<SandboxCall>> CallsAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<SandboxCall>>("/_sandbox/calls", Json, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>
    /// Creates the IAM role an ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) names in the sandbox's role
    /// registry, which starts empty, with the sandbox's default trust policy (the role's own account).
    /// </summary>
    public Task CreateRoleAsync(string roleArn, CancellationToken cancellationToken) =>
        CreateRoleAsync(roleArn, assumeRolePolicyDocument: null, cancellationToken);

    /// <summary>
    /// Creates the IAM role an ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) names in the sandbox's role
    /// registry, which starts empty: AWS Backup there refuses a service role that does not exist, and
    /// STS assumes only a role that exists and whose trust policy (<paramref name="assumeRolePolicyDocument"/>;
    /// null: the role's own account) allows the caller.
    /// A role that already exists under this ARN is left as it is, trust policy included; one of that
    /// name under another path or letter case is an error, since callers would be handed an ARN that names no role.
    /// </summary>
    public async Task CreateRoleAsync(string roleArn, string? assumeRolePolicyDocument, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roleArn);
        const string marker = ":role/";
        var at = roleArn.IndexOf(marker, StringComparison.Ordinal);
        var parts = roleArn.Split(':');
        if (at < 0 || parts.Length < 6)
        {
            throw new ArgumentException($"{roleArn} is not an IAM role ARN.", nameof(roleArn));
        }

        var pathAndName = roleArn[(at + marker.Length - 1)..];
        var slash = pathAndName.LastIndexOf('/');
        var body = new { account = parts[4], roleName = pathAndName[(slash + 1)..], path = pathAndName[..(slash + 1)], assumeRolePolicyDocument };
        using var response = await http.PostAsJsonAsync("/_sandbox/iam/roles", body, Json, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            response.EnsureSuccessStatusCode();
            return;
        }

        var existing = await http.GetFromJsonAsync<List<SandboxRole>>($"/_sandbox/iam/roles?account={body.account}", Json, cancellationToken).ConfigureAwait(false) ?? [];
        if (!existing.Any(r => string.Equals(r.Arn, roleArn, StringComparison.Ordinal)))
        {
            var other = existing.FirstOrDefault(r => string.Equals(r.RoleName, body.roleName, StringComparison.OrdinalIgnoreCase))?.Arn;
            throw new InvalidOperationException($"The sandbox already has a role named {body.roleName} in account {body.account} ({other}), not {roleArn}.");
        }
    }

    public void Dispose() => http.Dispose();

    private sealed record SandboxRole(string Arn, string RoleName);
}
