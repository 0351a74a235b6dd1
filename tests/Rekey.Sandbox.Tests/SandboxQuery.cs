using System.Xml.Linq;

namespace Rekey.Sandbox.Tests;

/// <summary>
/// Sets up state quickly with plain Query requests (a fake SigV4 header: the sandbox routes by
/// the credential scope only). Tests use it for arrangement; what they assert goes through the
/// AWS CLI.
/// </summary>
internal sealed class SandboxQuery(Uri baseUrl)
{
    private static readonly HttpClient Http = new();

    public async Task<XElement> CallAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, string account = "111111111111", string service = "rds", string version = "2014-10-31")
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", version) };
        form.AddRange(parameters);
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={account}/20261128/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await Http.SendAsync(request);
        var body = XElement.Parse(await response.Content.ReadAsStringAsync());
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{action} failed: {body}");
        }

        return body;
    }

    /// <summary>AWS's clock: the Date header of an RDS response.</summary>
    public async Task<DateTimeOffset> ServerDateAsync(string account = "111111111111")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl)
        {
            Content = new FormUrlEncodedContent([new("Action", "DescribeDBClusters"), new("Version", "2014-10-31")]),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={account}/20261128/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await Http.SendAsync(request);
        return response.Headers.Date ?? throw new InvalidOperationException("The response has no Date header.");
    }

    public Task<XElement> CreateClusterAsync(string identifier, string account = "111111111111", bool encrypted = false, params (string Name, string Value)[] extra) =>
        CallAsync(
            "CreateDBCluster",
            [
                new("DBClusterIdentifier", identifier), new("Engine", "aurora-postgresql"), new("MasterUsername", "postgres"),
                new("MasterUserPassword", "sandbox-password"), new("StorageEncrypted", encrypted ? "true" : "false"),
                .. extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)),
            ],
            account);

    public Task<XElement> CreateInstanceAsync(string cluster, string identifier, string account = "111111111111") =>
        CallAsync(
            "CreateDBInstance",
            [new("DBInstanceIdentifier", identifier), new("DBClusterIdentifier", cluster), new("Engine", "aurora-postgresql"), new("DBInstanceClass", "db.r6g.large")],
            account);
}
