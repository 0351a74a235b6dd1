using System.Net;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Tests;

/// <summary>A sandbox under AWS's API rate limits whose clock all but stands still, so only the tests refill the buckets.</summary>
public sealed class RateLimitedSandboxFixture : SandboxFixture
{
    protected override SandboxOptions Options => SandboxOptions.ForTests(clockSpeed: 1e-9).WithAwsRateLimits();
}

public sealed class RateLimitTests(RateLimitedSandboxFixture fixture) : IClassFixture<RateLimitedSandboxFixture>
{
    private static readonly HttpClient Http = new();
    private static readonly XNamespace Rds = "http://rds.amazonaws.com/doc/2014-10-31/";

    [Fact]
    public async Task A_burst_above_300_RDS_calls_is_answered_with_Throttling_Rate_exceeded_as_a_400_sender_fault()
    {
        var answers = new List<(HttpStatusCode Status, XElement Body)>();
        for (var i = 0; i < 310; i++)
        {
            answers.Add(await DescribeClustersAsync("410000000001"));
        }

        Assert.All(answers.Take(300), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers.Skip(300), a =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, a.Status);
            var error = a.Body.Element(Rds + "Error")!;
            Assert.Equal("Sender", error.Element(Rds + "Type")!.Value);
            Assert.Equal("Throttling", error.Element(Rds + "Code")!.Value);
            Assert.Equal("Rate exceeded", error.Element(Rds + "Message")!.Value);
        });
        Assert.Equal(10, fixture.Sandbox.Calls.Find(account: "410000000001").Count(c => c.ErrorCode == "Throttling"));
    }

    [Fact]
    public async Task An_empty_bucket_refills_12_calls_per_second_of_sandbox_time()
    {
        for (var i = 0; i < 300; i++)
        {
            await DescribeClustersAsync("410000000002");
        }

        fixture.Advance(TimeSpan.FromSeconds(1));
        var afterOneSecond = new List<HttpStatusCode>();
        for (var i = 0; i < 13; i++)
        {
            afterOneSecond.Add((await DescribeClustersAsync("410000000002")).Status);
        }

        Assert.Equal(12, afterOneSecond.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.BadRequest, afterOneSecond[^1]);
    }

    [Fact]
    public async Task The_limit_is_per_account_and_Region_and_only_for_services_AWS_documents_one_for()
    {
        for (var i = 0; i < 300; i++)
        {
            await DescribeClustersAsync("410000000003");
        }

        var sameAccount = await DescribeClustersAsync("410000000003");
        var otherRegion = await DescribeClustersAsync("410000000003", region: "eu-west-1");
        var otherAccount = await DescribeClustersAsync("410000000004");
        var sts = await CallAsync("410000000003", "us-east-1", "sts", "GetCallerIdentity", "2011-06-15");

        Assert.Equal(HttpStatusCode.BadRequest, sameAccount.Status);
        Assert.Equal(HttpStatusCode.OK, otherRegion.Status);
        Assert.Equal(HttpStatusCode.OK, otherAccount.Status);
        Assert.Equal(HttpStatusCode.OK, sts.Status);
    }

    [Fact]
    public async Task The_AWS_SDK_takes_the_answer_for_throttling_and_retries_it()
    {
        for (var i = 0; i < 300; i++)
        {
            await DescribeClustersAsync("410000000005");
        }

        using var rds = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = fixture.Sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials("410000000005", "sandbox-secret"),
            MaxErrorRetry = 2,
        }).CreateRds(RegionEndpoint.USEast1);

        var error = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest()));
        var attempts = fixture.Sandbox.Calls.Find(account: "410000000005", operation: "DescribeDBClusters").Skip(300).ToList();

        Assert.Equal("Throttling", error.ErrorCode);
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("Throttling", a.ErrorCode));
    }

    [Fact]
    public async Task The_sandbox_API_replaces_the_limits_and_an_empty_set_turns_them_off()
    {
        using var put = await Http.PutAsync(
            new Uri(fixture.Sandbox.BaseUrl, "_sandbox/rate-limits"),
            new StringContent("""{"rds":{"burst":2,"perSecond":1}}""", System.Text.Encoding.UTF8, "application/json"));
        var limited = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            limited.Add((await DescribeClustersAsync("410000000006")).Status);
        }

        using var off = await Http.PutAsync(new Uri(fixture.Sandbox.BaseUrl, "_sandbox/rate-limits"), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var unlimited = (await DescribeClustersAsync("410000000006")).Status;
        fixture.Sandbox.Runtime.RateLimits.Set(ApiRateLimiter.Aws);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest], limited);
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unlimited);
    }

    private Task<(HttpStatusCode Status, XElement Body)> DescribeClustersAsync(string account, string region = "us-east-1") =>
        CallAsync(account, region, "rds", "DescribeDBClusters", "2014-10-31");

    private async Task<(HttpStatusCode Status, XElement Body)> CallAsync(string account, string region, string service, string action, string version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Sandbox.BaseUrl)
        {
            Content = new FormUrlEncodedContent([new("Action", action), new("Version", version)]),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={account}/20261207/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, XElement.Parse(await response.Content.ReadAsStringAsync()));
    }
}
