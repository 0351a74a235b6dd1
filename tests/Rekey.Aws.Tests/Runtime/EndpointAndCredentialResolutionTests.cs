using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Backup;
using Rekey.Aws.CloudWatch;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.IdentityManagement.Model;
using Rekey.Aws.Organizations;
using Rekey.Aws.Organizations.Model;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.SNS;
using Rekey.Aws.SNS.Model;
using Rekey.Aws.Tests.Contract;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Runtime;

/// <summary>
/// The SDK's own endpoint, region and credential resolution applies to our clients as it does to the
/// official ones: AWS_ENDPOINT_URL(_SERVICE), ServiceURL, AWS_REGION, AWS_PROFILE, web identity.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class EndpointAndCredentialResolutionTests : IDisposable
{
    private const string Clusters = """
        <DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
          <DescribeDBClustersResult><DBClusters/></DescribeDBClustersResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </DescribeDBClustersResponse>
        """;

    private const string Topic = """
        <GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
          <GetTopicAttributesResult><Attributes/></GetTopicAttributesResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </GetTopicAttributesResponse>
        """;

    private const string Role = """
        <GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
          <GetRoleResult><Role><RoleName>rekey</RoleName></Role></GetRoleResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
        </GetRoleResponse>
        """;

    private const string Organization = """{"Organization":{"Id":"o-a1b2c3d4e5"}}""";

    private readonly string _scratch = Directory.CreateTempSubdirectory("rekey-aws-env-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Service_specific_endpoint_variable_beats_the_global_one_and_signs_for_the_configured_region()
    {
        using var global = new ScriptedServer(new ScriptedAnswer(200, Topic, "text/xml"));
        using var rdsOnly = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        using var env = new EnvironmentScope(_scratch, ("AWS_ENDPOINT_URL", global.Endpoint.ToString()), ("AWS_ENDPOINT_URL_RDS", rdsOnly.Endpoint.ToString()));
        var factory = new AwsClientFactory(new AwsClientOptions { Credentials = new BasicAWSCredentials("AKIDENV", "secret") });

        using (var rds = factory.CreateRds(RegionEndpoint.APNortheast1))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        using (var sns = factory.CreateSns(RegionEndpoint.APNortheast1))
        {
            await sns.GetTopicAttributesAsync(new GetTopicAttributesRequest { TopicArn = "arn:aws:sns:ap-northeast-1:111111111111:t" });
        }

        var rdsRequest = Assert.Single(rdsOnly.Requests);
        var snsRequest = Assert.Single(global.Requests);
        AssertScope(rdsRequest, "ap-northeast-1", "rds");
        AssertScope(snsRequest, "ap-northeast-1", "sns");
    }

    [Fact]
    public async Task Explicit_service_url_beats_the_endpoint_variables()
    {
        using var configured = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        using var fromEnvironment = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        using var env = new EnvironmentScope(_scratch, ("AWS_ENDPOINT_URL_RDS", fromEnvironment.Endpoint.ToString()));
        var factory = new AwsClientFactory(new AwsClientOptions { ServiceUrl = configured.Endpoint.ToString(), Credentials = new BasicAWSCredentials("AKIDENV", "secret") });

        using var rds = factory.CreateRds(RegionEndpoint.EUCentral1);
        await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());

        AssertScope(Assert.Single(configured.Requests), "eu-central-1", "rds");
        Assert.Empty(fromEnvironment.Requests);
    }

    [Fact]
    public async Task Region_and_credentials_come_from_the_environment_for_a_client_built_without_arguments()
    {
        using var server = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        using var env = new EnvironmentScope(_scratch,
            ("AWS_ENDPOINT_URL_RDS", server.Endpoint.ToString()), ("AWS_REGION", "ap-southeast-2"),
            ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT"), ("AWS_SECRET_ACCESS_KEY", "secret"));

        using var rds = new AmazonRDSClient();
        await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());

        var request = Assert.Single(server.Requests);
        AssertScope(request, "ap-southeast-2", "rds");
        Assert.Contains("Credential=AKIDFROMENVIRONMENT/", request.Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_profile_supplies_the_credentials_whether_chosen_by_AWS_PROFILE_or_by_the_options()
    {
        using var server = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        var credentialsFile = Path.Combine(_scratch, "credentials");
        await File.WriteAllTextAsync(credentialsFile, """
            [default]
            aws_access_key_id = AKIDDEFAULTPROFILE
            aws_secret_access_key = secret

            [rekey-prod]
            aws_access_key_id = AKIDREKEYPROFILE
            aws_secret_access_key = secret
            """);
        using var env = new EnvironmentScope(_scratch, ("AWS_ENDPOINT_URL", server.Endpoint.ToString()), ("AWS_PROFILE", "rekey-prod"));

        using (var rds = new AwsClientFactory().CreateRds(RegionEndpoint.EUWest1))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        Environment.SetEnvironmentVariable("AWS_PROFILE", null);
        using (var rds = new AwsClientFactory(new AwsClientOptions { Profile = "rekey-prod" }).CreateRds(RegionEndpoint.EUWest1))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        Assert.All(server.Requests, r => Assert.Contains("Credential=AKIDREKEYPROFILE/", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Web_identity_token_and_role_from_the_environment_are_exchanged_through_sts_and_sign_the_call()
    {
        using var sts = new ScriptedServer(new ScriptedAnswer(200, """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <Credentials>
                  <AccessKeyId>ASIAWEBIDENTITY00001</AccessKeyId>
                  <SecretAccessKey>secret</SecretAccessKey>
                  <SessionToken>token</SessionToken>
                  <Expiration>2099-01-01T00:00:00Z</Expiration>
                </Credentials>
                <AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/rekey-deploy/gha</Arn><AssumedRoleId>AROA:gha</AssumedRoleId></AssumedRoleUser>
              </AssumeRoleWithWebIdentityResult>
              <ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata>
            </AssumeRoleWithWebIdentityResponse>
            """, "text/xml"));
        using var rdsServer = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        var tokenFile = Path.Combine(_scratch, "oidc-token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.github-actions-oidc.signature");
        using var env = new EnvironmentScope(_scratch,
            ("AWS_ENDPOINT_URL_STS", sts.Endpoint.ToString()), ("AWS_ENDPOINT_URL_RDS", rdsServer.Endpoint.ToString()),
            ("AWS_REGION", "eu-west-1"), ("AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile),
            ("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/rekey-deploy"), ("AWS_ROLE_SESSION_NAME", "gha"));

        using (var rds = new AwsClientFactory().CreateRds(RegionEndpoint.EUWest1))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        var exchange = ModelContractTests.ParseForm(Assert.Single(sts.Requests).Body);
        Assert.Equal("AssumeRoleWithWebIdentity", exchange["Action"].Single());
        Assert.Equal("arn:aws:iam::111111111111:role/rekey-deploy", exchange["RoleArn"].Single());
        Assert.Equal("eyJhbGciOiJSUzI1NiJ9.github-actions-oidc.signature", exchange["WebIdentityToken"].Single());
        Assert.Contains("Credential=ASIAWEBIDENTITY00001/", Assert.Single(rdsServer.Requests).Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_profile_in_the_options_fails_with_its_name()
    {
        using var env = new EnvironmentScope(_scratch);
        var error = Assert.Throws<AmazonClientException>(() => new AwsClientFactory(new AwsClientOptions { Profile = "no-such-profile" }).CreateRds(RegionEndpoint.EUWest1));
        Assert.Contains("no-such-profile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Regional_endpoint_follows_the_partition_when_nothing_overrides_it()
    {
        var http = new RecordingHttp(_ => RecordingHttp.Answer(System.Net.HttpStatusCode.OK, Clusters, "text/xml", DateTimeOffset.UtcNow));
        using var env = new EnvironmentScope(_scratch);
        var factory = new AwsClientFactory(new AwsClientOptions { HttpClientFactory = http, Credentials = new BasicAWSCredentials("AKID", "secret") });

        using (var rds = factory.CreateRds(RegionEndpoint.EUWest1))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        using (var rds = factory.CreateRds(RegionEndpoint.CNNorth1))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        using (var cloudWatch = factory.CreateCloudWatch(RegionEndpoint.USWest2))
        {
            await cloudWatch.GetMetricDataAsync(new Rekey.Aws.CloudWatch.Model.GetMetricDataRequest());
        }

        var hosts = http.Requests.Select(r => r.Uri.Host).ToList();
        Assert.Equal(["rds.eu-west-1.amazonaws.com", "rds.cn-north-1.amazonaws.com.cn", "monitoring.us-west-2.amazonaws.com"], hosts);
        Assert.All(http.Requests, r => Assert.Equal("https", r.Uri.Scheme));
    }

    [Fact]
    public async Task Global_services_use_the_partitions_one_endpoint_signed_for_its_global_region_whatever_the_region()
    {
        var http = new RecordingHttp(r => r.Headers.ContainsKey("X-Amz-Target")
            ? RecordingHttp.Answer(System.Net.HttpStatusCode.OK, Organization, "application/x-amz-json-1.1", DateTimeOffset.UtcNow)
            : RecordingHttp.Answer(System.Net.HttpStatusCode.OK, Role, "text/xml", DateTimeOffset.UtcNow));
        using var env = new EnvironmentScope(_scratch);
        var factory = new AwsClientFactory(new AwsClientOptions { HttpClientFactory = http, Credentials = new BasicAWSCredentials("AKID", "secret") });
        var regions = new[] { RegionEndpoint.EUWest1, RegionEndpoint.APSoutheast2, RegionEndpoint.CNNorth1, RegionEndpoint.CNNorthWest1, RegionEndpoint.USGovCloudEast1 };

        foreach (var region in regions)
        {
            using var iam = factory.CreateIam(region);
            await iam.GetRoleAsync(new GetRoleRequest { RoleName = "rekey" });
            using var organizations = factory.CreateOrganizations(region);
            await organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest());
        }

        Assert.Equal(
        [
            "https://iam.amazonaws.com/ us-east-1/iam", "https://organizations.us-east-1.amazonaws.com/ us-east-1/organizations",
            "https://iam.amazonaws.com/ us-east-1/iam", "https://organizations.us-east-1.amazonaws.com/ us-east-1/organizations",
            "https://iam.cn-north-1.amazonaws.com.cn/ cn-north-1/iam", "https://organizations.cn-northwest-1.amazonaws.com.cn/ cn-northwest-1/organizations",
            "https://iam.cn-north-1.amazonaws.com.cn/ cn-north-1/iam", "https://organizations.cn-northwest-1.amazonaws.com.cn/ cn-northwest-1/organizations",
            "https://iam.us-gov.amazonaws.com/ us-gov-west-1/iam", "https://organizations.us-gov-west-1.amazonaws.com/ us-gov-west-1/organizations",
        ], http.Requests.Select(Describe));
    }

    [Fact]
    public async Task Fips_endpoints_of_global_services_are_the_ones_their_rules_name()
    {
        var http = new RecordingHttp(r => r.Headers.ContainsKey("X-Amz-Target")
            ? RecordingHttp.Answer(System.Net.HttpStatusCode.OK, Organization, "application/x-amz-json-1.1", DateTimeOffset.UtcNow)
            : RecordingHttp.Answer(System.Net.HttpStatusCode.OK, Role, "text/xml", DateTimeOffset.UtcNow));
        using var env = new EnvironmentScope(_scratch);
        var credentials = new BasicAWSCredentials("AKID", "secret");

        foreach (var region in new[] { RegionEndpoint.EUWest1, RegionEndpoint.USGovCloudEast1 })
        {
            using var iam = new AmazonIdentityManagementServiceClient(credentials, new AmazonIdentityManagementServiceConfig { RegionEndpoint = region, UseFIPSEndpoint = true, HttpClientFactory = http });
            await iam.GetRoleAsync(new GetRoleRequest { RoleName = "rekey" });
            using var organizations = new AmazonOrganizationsClient(credentials, new AmazonOrganizationsConfig { RegionEndpoint = region, UseFIPSEndpoint = true, HttpClientFactory = http });
            await organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest());
        }

        // GovCloud's endpoints are FIPS validated: the rules keep the same hosts.
        Assert.Equal(
        [
            "https://iam-fips.amazonaws.com/ us-east-1/iam", "https://organizations-fips.us-east-1.amazonaws.com/ us-east-1/organizations",
            "https://iam.us-gov.amazonaws.com/ us-gov-west-1/iam", "https://organizations.us-gov-west-1.amazonaws.com/ us-gov-west-1/organizations",
        ], http.Requests.Select(Describe));
    }

    [Fact]
    public async Task Fips_and_dual_stack_endpoints_of_regional_services_are_the_ones_their_rules_name()
    {
        var http = new RecordingHttp(r => r.Uri.Host.StartsWith("backup", StringComparison.Ordinal)
            ? RecordingHttp.Answer(System.Net.HttpStatusCode.OK, "{}", "application/json", DateTimeOffset.UtcNow)
            : RecordingHttp.Answer(System.Net.HttpStatusCode.OK, r.Uri.Host.StartsWith("sns", StringComparison.Ordinal) ? Topic : Clusters, "text/xml", DateTimeOffset.UtcNow));
        using var env = new EnvironmentScope(_scratch);
        var credentials = new BasicAWSCredentials("AKID", "secret");

        foreach (var (region, dualStack) in new[] { (RegionEndpoint.USEast1, false), (RegionEndpoint.USGovCloudEast1, false), (RegionEndpoint.USGovCloudEast1, true) })
        {
            using var rds = new AmazonRDSClient(credentials, new AmazonRDSConfig { RegionEndpoint = region, UseFIPSEndpoint = true, UseDualstackEndpoint = dualStack, HttpClientFactory = http });
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
            using var backup = new AmazonBackupClient(credentials, new AmazonBackupConfig { RegionEndpoint = region, UseFIPSEndpoint = true, UseDualstackEndpoint = dualStack, HttpClientFactory = http });
            await backup.ListBackupPlansAsync(new Rekey.Aws.Backup.Model.ListBackupPlansRequest());
            using var sns = new AmazonSimpleNotificationServiceClient(credentials, new AmazonSimpleNotificationServiceConfig { RegionEndpoint = region, UseFIPSEndpoint = true, UseDualstackEndpoint = dualStack, HttpClientFactory = http });
            await sns.GetTopicAttributesAsync(new GetTopicAttributesRequest { TopicArn = $"arn:aws:sns:{region.SystemName}:111111111111:rekey" });
            using var cloudWatch = new AmazonCloudWatchClient(credentials, new AmazonCloudWatchConfig { RegionEndpoint = region, UseFIPSEndpoint = true, UseDualstackEndpoint = dualStack, HttpClientFactory = http });
            await cloudWatch.GetMetricDataAsync(new Rekey.Aws.CloudWatch.Model.GetMetricDataRequest());
        }

        // In GovCloud the rules serve FIPS from the standard hosts of RDS, SNS and CloudWatch (CloudWatch's
        // dual-stack one too); AWS Backup keeps backup-fips everywhere.
        Assert.Equal(
        [
            "rds-fips.us-east-1.amazonaws.com us-east-1/rds", "backup-fips.us-east-1.amazonaws.com us-east-1/backup",
            "sns-fips.us-east-1.amazonaws.com us-east-1/sns", "monitoring-fips.us-east-1.amazonaws.com us-east-1/monitoring",
            "rds.us-gov-east-1.amazonaws.com us-gov-east-1/rds", "backup-fips.us-gov-east-1.amazonaws.com us-gov-east-1/backup",
            "sns.us-gov-east-1.amazonaws.com us-gov-east-1/sns", "monitoring.us-gov-east-1.amazonaws.com us-gov-east-1/monitoring",
            "rds-fips.us-gov-east-1.api.aws us-gov-east-1/rds", "backup-fips.us-gov-east-1.api.aws us-gov-east-1/backup",
            "sns-fips.us-gov-east-1.api.aws us-gov-east-1/sns", "monitoring.us-gov-east-1.api.aws us-gov-east-1/monitoring",
        ], http.Requests.Select(HostAndScope));
    }

    [Fact]
    public async Task Iam_and_organizations_variables_beat_AWS_ENDPOINT_URL_and_keep_the_global_signing_region()
    {
        using var global = new ScriptedServer(new ScriptedAnswer(200, Clusters, "text/xml"));
        using var iamOnly = new ScriptedServer(new ScriptedAnswer(200, Role, "text/xml"));
        using var organizationsOnly = new ScriptedServer(new ScriptedAnswer(200, Organization, "application/x-amz-json-1.1"));
        using var env = new EnvironmentScope(_scratch,
            ("AWS_ENDPOINT_URL", global.Endpoint.ToString()), ("AWS_ENDPOINT_URL_IAM", iamOnly.Endpoint.ToString()),
            ("AWS_ENDPOINT_URL_ORGANIZATIONS", organizationsOnly.Endpoint.ToString()));
        var factory = new AwsClientFactory(new AwsClientOptions { Credentials = new BasicAWSCredentials("AKIDENV", "secret") });

        using (var iam = factory.CreateIam(RegionEndpoint.EUWest2))
        {
            var role = await iam.GetRoleAsync(new GetRoleRequest { RoleName = "rekey" });
            Assert.Equal("rekey", role.Role!.RoleName);
        }

        using (var organizations = factory.CreateOrganizations(RegionEndpoint.EUWest2))
        {
            var organization = await organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest());
            Assert.Equal("o-a1b2c3d4e5", organization.Organization!.Id);
        }

        using (var rds = factory.CreateRds(RegionEndpoint.EUWest2))
        {
            await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest());
        }

        AssertScope(Assert.Single(iamOnly.Requests), "us-east-1", "iam");
        AssertScope(Assert.Single(organizationsOnly.Requests), "us-east-1", "organizations");
        AssertScope(Assert.Single(global.Requests), "eu-west-2", "rds");
    }

    [Fact]
    public async Task AWS_ENDPOINT_URL_alone_serves_the_global_services_signed_for_the_partitions_global_region()
    {
        using var server = new ScriptedServer(new ScriptedAnswer(200, Role, "text/xml"));
        using var organizationsServer = new ScriptedServer(new ScriptedAnswer(200, Organization, "application/x-amz-json-1.1"));
        using var env = new EnvironmentScope(_scratch, ("AWS_ENDPOINT_URL", server.Endpoint.ToString()));
        var factory = new AwsClientFactory(new AwsClientOptions { Credentials = new BasicAWSCredentials("AKIDENV", "secret") });

        using (var iam = factory.CreateIam(RegionEndpoint.CNNorthWest1))
        {
            await iam.GetRoleAsync(new GetRoleRequest { RoleName = "rekey" });
        }

        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", organizationsServer.Endpoint.ToString());
        using (var organizations = factory.CreateOrganizations(RegionEndpoint.CNNorth1))
        {
            await organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest());
        }

        AssertScope(Assert.Single(server.Requests), "cn-north-1", "iam");
        AssertScope(Assert.Single(organizationsServer.Requests), "cn-northwest-1", "organizations");
    }

    [Fact]
    public async Task Explicit_service_url_beats_the_iam_variable_and_signs_for_the_global_region()
    {
        using var configured = new ScriptedServer(new ScriptedAnswer(200, Role, "text/xml"));
        using var fromEnvironment = new ScriptedServer(new ScriptedAnswer(200, Role, "text/xml"));
        using var env = new EnvironmentScope(_scratch, ("AWS_ENDPOINT_URL_IAM", fromEnvironment.Endpoint.ToString()));
        var factory = new AwsClientFactory(new AwsClientOptions { ServiceUrl = configured.Endpoint.ToString(), Credentials = new BasicAWSCredentials("AKIDENV", "secret") });

        using var iam = factory.CreateIam(RegionEndpoint.USGovCloudEast1);
        await iam.GetRoleAsync(new GetRoleRequest { RoleName = "rekey" });

        AssertScope(Assert.Single(configured.Requests), "us-gov-west-1", "iam");
        Assert.Empty(fromEnvironment.Requests);
    }

    private static string Describe(RecordedRequest request)
    {
        var scope = ModelContractTests.CredentialScope().Match(request.Headers["Authorization"]);
        return $"{request.Uri} {scope.Groups["region"].Value}/{scope.Groups["service"].Value}";
    }

    private static string HostAndScope(RecordedRequest request)
    {
        var scope = ModelContractTests.CredentialScope().Match(request.Headers["Authorization"]);
        return $"{request.Uri.Host} {scope.Groups["region"].Value}/{scope.Groups["service"].Value}";
    }

    private static void AssertScope(RecordedRequest request, string region, string service)
    {
        var scope = ModelContractTests.CredentialScope().Match(request.Headers["Authorization"]);
        Assert.True(scope.Success, request.Headers["Authorization"]);
        Assert.Equal(region, scope.Groups["region"].Value);
        Assert.Equal(service, scope.Groups["service"].Value);
    }
}
