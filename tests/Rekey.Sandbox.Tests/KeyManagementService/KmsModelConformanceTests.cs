using System.Net;
using System.Text.Json.Nodes;
using Rekey.Sandbox.KeyManagementService;

namespace Rekey.Sandbox.Tests.KeyManagementService;

public sealed class KmsModelConformanceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly JsonModel Model = JsonModel.Load("kms", "2014-11-01");

    [Fact]
    public void Every_KMS_operation_the_sandbox_serves_is_an_operation_of_the_AWS_model()
    {
        Assert.Empty(fixture.Sandbox.Get<KmsService>().Operations.Except(Model.Operations));
    }

    [Fact]
    public void The_model_check_reports_unknown_members_wrong_types_bad_enum_values_and_missing_required_members()
    {
        var body = new JsonObject
        {
            ["KeyMetadata"] = new JsonObject { ["KeyState"] = "Sleeping", ["Enabled"] = "yes", ["KeyManger"] = "AWS" },
        };

        var errors = Model.Check("DescribeKey", body);

        Assert.Contains(errors, e => e.Contains("KeyManger is not a member", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("\"Sleeping\" is not a valid string", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("\"yes\" is not a valid boolean", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("required member KeyId is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_KMS_response_has_only_the_members_types_and_enum_values_of_the_AWS_model()
    {
        var raw = new RawAws(fixture.Sandbox.BaseUrl);
        var errors = new List<string>();
        async Task<JsonNode?> Call(string operation, JsonObject body)
        {
            var (status, response) = await raw.JsonAsync("kms", "TrentService." + operation, "application/x-amz-json-1.1", body);
            Assert.True(status == HttpStatusCode.OK, $"{operation}: {status} {response?.ToJsonString()}");
            errors.AddRange(Model.Check(operation, response));
            return response;
        }

        var created = await Call("CreateKey", new JsonObject
        {
            ["Description"] = "conformance",
            ["MultiRegion"] = true,
            ["Tags"] = new JsonArray(new JsonObject { ["TagKey"] = "a", ["TagValue"] = "b" }),
        });
        var keyId = created!["KeyMetadata"]!["KeyId"]!.GetValue<string>();
        JsonObject Key() => new() { ["KeyId"] = keyId };
        await Call("CreateKey", new JsonObject { ["KeySpec"] = "RSA_2048", ["KeyUsage"] = "SIGN_VERIFY" });
        await Call("CreateKey", new JsonObject { ["KeySpec"] = "HMAC_256", ["KeyUsage"] = "GENERATE_VERIFY_MAC" });
        await Call("DescribeKey", new JsonObject { ["KeyId"] = "alias/aws/rds" });
        await Call("ListKeys", new JsonObject { ["Limit"] = 1 });
        await Call("CreateAlias", new JsonObject { ["AliasName"] = "alias/conformance", ["TargetKeyId"] = keyId });
        await Call("ListAliases", new JsonObject { ["Limit"] = 2 });
        await Call("ListAliases", new JsonObject { ["KeyId"] = keyId });
        var policy = await Call("GetKeyPolicy", new JsonObject { ["KeyId"] = keyId, ["PolicyName"] = "default" });
        await Call("PutKeyPolicy", new JsonObject { ["KeyId"] = keyId, ["PolicyName"] = "default", ["Policy"] = policy!["Policy"]!.GetValue<string>() });
        await Call("EnableKeyRotation", Key());
        await Call("GetKeyRotationStatus", Key());
        await Call("DisableKeyRotation", Key());
        await Call("GetKeyRotationStatus", Key());
        await Call("TagResource", new JsonObject { ["KeyId"] = keyId, ["Tags"] = new JsonArray(new JsonObject { ["TagKey"] = "c", ["TagValue"] = "d" }) });
        await Call("ListResourceTags", new JsonObject { ["KeyId"] = keyId, ["Limit"] = 1 });
        await Call("UntagResource", new JsonObject { ["KeyId"] = keyId, ["TagKeys"] = new JsonArray("c") });
        await Call("DisableKey", Key());
        await Call("EnableKey", Key());
        await Call("DeleteAlias", new JsonObject { ["AliasName"] = "alias/conformance" });
        await Call("ScheduleKeyDeletion", new JsonObject { ["KeyId"] = keyId, ["PendingWindowInDays"] = 7 });
        await Call("DescribeKey", Key());
        await Call("CancelKeyDeletion", Key());

        Assert.Empty(errors);
    }
}
