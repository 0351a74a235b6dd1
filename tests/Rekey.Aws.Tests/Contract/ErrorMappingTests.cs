using System.Net;
using System.Security;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Contract;

/// <summary>Every error code the model lists for our operations, and AWS's common ones, become typed exceptions.</summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<string, string, string, string> ModelErrors()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var service in ServiceUnderTest.All)
        {
            var model = ServiceModel.Load(service.Model);
            var seen = new HashSet<string>();
            foreach (var operation in service.Operations)
            {
                if (!model.Operation(operation).TryGetProperty("errors", out var errors))
                {
                    continue;
                }

                foreach (var error in errors.EnumerateArray())
                {
                    var shapeName = error.GetProperty("shape").GetString()!;
                    var shape = model.Shape(shapeName);
                    var code = shape.TryGetProperty("error", out var e) && e.TryGetProperty("code", out var c) ? c.GetString()! : shapeName;
                    if (seen.Add(code))
                    {
                        data.Add(service.Model, operation, code, shapeName);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ModelErrors))]
    public async Task Model_error_code_becomes_its_own_exception_type_with_aws_message_and_request_id(string service, string operation, string code, string shape)
    {
        var error = await FailWithAsync(service, operation, code, "the message AWS wrote");

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal("the message AWS wrote", error.Message);
        Assert.Equal("req-" + code, error.RequestId);
        // Named after the error shape, as AWS's SDKs name them (SNS's ParameterValueInvalid is InvalidParameterValueException).
        var expectedName = shape.EndsWith("Fault", StringComparison.Ordinal) ? shape[..^5] + "Exception"
            : shape.EndsWith("Exception", StringComparison.Ordinal) ? shape : shape + "Exception";
        Assert.Equal(expectedName, error.GetType().Name);
    }

    [Theory]
    [InlineData("rds", "DBInstanceNotFound", "DBInstanceNotFoundException")]
    [InlineData("rds", "KMSKeyNotAccessibleFault", "KMSKeyNotAccessibleException")]
    [InlineData("rds", "InvalidParameterValue", "InvalidParameterValueException")]
    [InlineData("rds", "InvalidParameterCombination", "InvalidParameterCombinationException")]
    [InlineData("rds", "AccessDenied", "AccessDeniedException")]
    [InlineData("rds", "Throttling", "ThrottlingException")]
    [InlineData("sns", "AuthorizationError", "AuthorizationErrorException")]
    [InlineData("backup", "AccessDeniedException", "AccessDeniedException")]
    [InlineData("backup", "AlreadyExistsException", "AlreadyExistsException")]
    [InlineData("backup", "InvalidParameterValueException", "InvalidParameterValueException")]
    [InlineData("organizations", "AWSOrganizationsNotInUseException", "AWSOrganizationsNotInUseException")]
    [InlineData("organizations", "AccessDeniedException", "AccessDeniedException")]
    [InlineData("organizations", "ThrottlingException", "ThrottlingException")]
    [InlineData("iam", "NoSuchEntity", "NoSuchEntityException")]
    [InlineData("iam", "AccessDenied", "AccessDeniedException")]
    public async Task Common_error_code_becomes_a_typed_exception(string service, string code, string typeName)
    {
        var operation = ServiceUnderTest.Named(service).Operations[0];
        var error = await FailWithAsync(service, operation, code, "denied");
        Assert.Equal(typeName, error.GetType().Name);
        Assert.Equal(ServiceUnderTest.Named(service).Namespace, error.GetType().Namespace);
    }

    [Fact]
    public async Task Unknown_error_code_becomes_the_service_base_exception()
    {
        var error = await FailWithAsync("rds", "DescribeDBClusters", "SomethingNew", "new error");
        Assert.IsType<Rekey.Aws.RDS.AmazonRDSException>(error);
        Assert.Equal("SomethingNew", error.ErrorCode);
    }

    [Theory]
    [InlineData("AWSOrganizationsNotInUseException")]
    [InlineData("com.amazonaws.organizations.v20161128#AWSOrganizationsNotInUseException")]
    public async Task Aws_json_error_named_in_the_body_type_with_or_without_a_namespace_becomes_its_exception(string type)
    {
        // AWS JSON services name the error in the body's __type (botocore drops any "namespace#").
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.BadRequest,
            $$"""{"__type":"{{type}}","Message":"Your account is not a member of an organization."}""", "application/x-amz-json-1.1", DateTimeOffset.UtcNow,
            ("x-amzn-RequestId", "req-org")));
        using var client = Factory(http).CreateOrganizations(RegionEndpoint.EUWest1);

        var error = await Assert.ThrowsAsync<Rekey.Aws.Organizations.AWSOrganizationsNotInUseException>(
            () => client.DescribeOrganizationAsync(new Rekey.Aws.Organizations.Model.DescribeOrganizationRequest()));

        Assert.Equal("AWSOrganizationsNotInUseException", error.ErrorCode);
        Assert.Equal("Your account is not a member of an organization.", error.Message);
        Assert.Equal("req-org", error.RequestId);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task Iam_NoSuchEntity_becomes_NoSuchEntityException_with_aws_message()
    {
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.NotFound, """
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name rekey-backup cannot be found.</Message></Error>
              <RequestId>req-iam</RequestId>
            </ErrorResponse>
            """, "text/xml", DateTimeOffset.UtcNow));
        using var client = Factory(http).CreateIam(RegionEndpoint.EUWest1);

        var error = await Assert.ThrowsAsync<Rekey.Aws.IdentityManagement.NoSuchEntityException>(
            () => client.GetRoleAsync(new Rekey.Aws.IdentityManagement.Model.GetRoleRequest { RoleName = "rekey-backup" }));

        Assert.Equal("NoSuchEntity", error.ErrorCode);
        Assert.Equal("The role with name rekey-backup cannot be found.", error.Message);
        Assert.Equal("req-iam", error.RequestId);
        Assert.IsAssignableFrom<Rekey.Aws.IdentityManagement.AmazonIdentityManagementServiceException>(error);
    }

    private static async Task<AmazonServiceException> FailWithAsync(string serviceName, string operation, string code, string message)
    {
        var service = ServiceUnderTest.Named(serviceName);
        var http = new RecordingHttp(_ => service.Protocol switch
        {
            "query" => RecordingHttp.Answer(HttpStatusCode.BadRequest,
                $"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error><RequestId>req-{code}</RequestId></ErrorResponse>",
                "text/xml", DateTimeOffset.UtcNow),
            "json" => RecordingHttp.Answer(HttpStatusCode.BadRequest, $$"""{"__type":"{{code}}","Message":"{{message}}"}""", "application/x-amz-json-1.1", DateTimeOffset.UtcNow,
                ("x-amzn-RequestId", "req-" + code)),
            _ => RecordingHttp.Answer(HttpStatusCode.BadRequest, $$"""{"message":"{{message}}"}""", "application/json", DateTimeOffset.UtcNow,
                ("x-amzn-ErrorType", code), ("x-amzn-RequestId", "req-" + code)),
        });
        using var client = service.CreateClient(Factory(http), RegionEndpoint.EUWest1);
        var values = new ModelValues(ServiceModel.Load(service.Model));
        var input = ServiceModel.Load(service.Model).Operation(operation).TryGetProperty("input", out var i) ? i.GetProperty("shape").GetString() : null;
        var request = (AmazonWebServiceRequest)ModelValues.ToObject(service.RequestType(operation), input == null ? new StructNode([]) : values.Make(input, Fill.RequiredOnly));
        return await Assert.ThrowsAnyAsync<AmazonServiceException>(() => ServiceUnderTest.InvokeAsync(client, operation, request));
    }

    private static AwsClientFactory Factory(RecordingHttp http) => new(new AwsClientOptions
    {
        ServiceUrl = "http://127.0.0.1:9",
        Credentials = new BasicAWSCredentials("AKIDERRORS", "secret"),
        HttpClientFactory = http,
        MaxErrorRetry = 0,
    });
}
