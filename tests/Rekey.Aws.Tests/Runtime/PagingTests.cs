using System.Net;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Tests.Contract;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Runtime;

/// <summary>The ...AllAsync pagers follow Marker / NextToken until AWS stops returning one.</summary>
public sealed class PagingTests
{
    [Fact]
    public async Task Rds_pager_sends_each_Marker_back_and_yields_every_page()
    {
        var pages = new Queue<string>(
        [
            ClustersPage("page-2", "a", "b"),
            ClustersPage("page-3", "c"),
            ClustersPage(null, "d"),
        ]);
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.OK, pages.Dequeue(), "text/xml", DateTimeOffset.UtcNow));
        using var rds = Factory(http).CreateRds(RegionEndpoint.EUWest1);

        var ids = new List<string?>();
        await foreach (var cluster in rds.DescribeDBClustersAllAsync(new DescribeDBClustersRequest { MaxRecords = 20 }))
        {
            ids.Add(cluster.DBClusterIdentifier);
        }

        Assert.Equal(["a", "b", "c", "d"], ids);
        var markers = http.Requests.Select(r => ModelContractTests.ParseForm(r.Body).GetValueOrDefault("Marker")?.Single()).ToList();
        Assert.Equal([null, "page-2", "page-3"], markers);
    }

    [Fact]
    public async Task Backup_pager_sends_each_NextToken_back_in_the_query_string()
    {
        var pages = new Queue<string>(
        [
            """{"BackupPlansList":[{"BackupPlanId":"p1"}],"NextToken":"t2"}""",
            """{"BackupPlansList":[{"BackupPlanId":"p2"},{"BackupPlanId":"p3"}]}""",
        ]);
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.OK, pages.Dequeue(), "application/json", DateTimeOffset.UtcNow));
        using var backup = Factory(http).CreateBackup(RegionEndpoint.EUWest1);

        var ids = new List<string?>();
        await foreach (var plan in backup.ListBackupPlansAllAsync(new ListBackupPlansRequest()))
        {
            ids.Add(plan.BackupPlanId);
        }

        Assert.Equal(["p1", "p2", "p3"], ids);
        var tokens = http.Requests.Select(r => ModelContractTests.ParseForm(r.Uri.Query.TrimStart('?')).GetValueOrDefault("nextToken")?.Single()).ToList();
        Assert.Equal([null, "t2"], tokens);
    }

    private static AwsClientFactory Factory(RecordingHttp http) => new(new AwsClientOptions
    {
        ServiceUrl = "http://127.0.0.1:9",
        Credentials = new BasicAWSCredentials("AKIDPAGES", "secret"),
        HttpClientFactory = http,
    });

    private static string ClustersPage(string? marker, params string[] ids) => $"""
        <DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
          <DescribeDBClustersResult>
            {(marker == null ? string.Empty : $"<Marker>{marker}</Marker>")}
            <DBClusters>{string.Concat(ids.Select(id => $"<DBCluster><DBClusterIdentifier>{id}</DBClusterIdentifier></DBCluster>"))}</DBClusters>
          </DescribeDBClustersResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </DescribeDBClustersResponse>
        """;
}
