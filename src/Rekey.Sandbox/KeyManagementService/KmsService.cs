using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.SecurityToken;

namespace Rekey.Sandbox.KeyManagementService;

/// <summary>
/// AWS KMS (JSON 1.1, X-Amz-Target TrentService.*): keys, aliases, key policies, rotation, tags,
/// key states. Every operation is authorized by the key's policy for <c>kms:&lt;Operation&gt;</c>
/// (IAM policies are not evaluated: an account root principal in the policy stands for every principal of that
/// account), so AWS managed keys, whose policy only allows reading, cannot be changed, and keys of
/// other accounts are usable exactly as far as their policy says. Only DescribeKey and
/// GetKeyRotationStatus accept another account's key ARN, as in AWS.
/// </summary>
public sealed partial class KmsService : JsonService
{
    private const int DefaultPageSize = 50;
    private readonly KmsKeyStore _keys;
    private readonly StsSessions _sessions;

    public KmsService(SandboxRuntime runtime, KmsKeyStore keys, StsSessions sessions)
        : base(runtime)
    {
        _keys = keys;
        _sessions = sessions;
        Register("CreateKey", mutating: true, CreateKey);
        Register("DescribeKey", mutating: false, (r, b) => new JsonObject { ["KeyMetadata"] = Metadata(Key(r, b, "kms:DescribeKey", crossAccount: true, anyState: true)) });
        Register("ListKeys", mutating: false, ListKeys);
        Register("CreateAlias", mutating: true, CreateAlias);
        Register("DeleteAlias", mutating: true, DeleteAlias);
        Register("ListAliases", mutating: false, ListAliases);
        Register("GetKeyPolicy", mutating: false, GetKeyPolicy);
        Register("PutKeyPolicy", mutating: true, PutKeyPolicy);
        Register("EnableKeyRotation", mutating: true, (r, b) => SetRotation(r, b, enabled: true));
        Register("DisableKeyRotation", mutating: true, (r, b) => SetRotation(r, b, enabled: false));
        Register("GetKeyRotationStatus", mutating: false, GetKeyRotationStatus);
        Register("TagResource", mutating: true, TagResource);
        Register("UntagResource", mutating: true, UntagResource);
        Register("ListResourceTags", mutating: false, ListResourceTags);
        Register("EnableKey", mutating: true, (r, b) => ChangeState(r, b, "kms:EnableKey", "Enabled"));
        Register("DisableKey", mutating: true, (r, b) => ChangeState(r, b, "kms:DisableKey", "Disabled"));
        Register("ScheduleKeyDeletion", mutating: true, ScheduleKeyDeletion);
        Register("CancelKeyDeletion", mutating: true, CancelKeyDeletion);
    }

    public override string SigningName => "kms";

    protected override string TargetPrefix => "TrentService";

    // ---- Keys ------------------------------------------------------------------------------------

    private JsonObject CreateKey(AwsRequestContext request, JsonObject body)
    {
        var keySpec = OptionalString(body, "KeySpec");
        var legacySpec = OptionalString(body, "CustomerMasterKeySpec");
        if (keySpec is not null && legacySpec is not null)
        {
            throw Validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec.");
        }

        keySpec ??= legacySpec ?? "SYMMETRIC_DEFAULT";

        // KeyUsage is optional only for symmetric encryption keys (CreateKey API reference).
        var keyUsage = OptionalString(body, "KeyUsage")
            ?? (keySpec == "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : throw Validation($"KeyUsage is required for a KMS key with KeySpec {keySpec}."));
        if (!AllowedUsages(keySpec).Contains(keyUsage))
        {
            throw Validation(AllowedUsages(keySpec).Count == 0
                ? $"1 validation error detected: Value '{keySpec}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set"
                : $"KeyUsage {keyUsage} is not compatible with KeySpec {keySpec}.");
        }

        if ((OptionalString(body, "Origin") ?? "AWS_KMS") != "AWS_KMS" || OptionalString(body, "CustomKeyStoreId") is not null)
        {
            throw new AwsServiceException("UnsupportedOperationException", "The sandbox creates keys with Origin AWS_KMS only.");
        }

        var description = OptionalString(body, "Description") ?? string.Empty;
        if (description.Length > 8192)
        {
            throw Validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
        }

        var tags = Tags(body, required: false);
        var roleArn = RoleArn(request);
        var policy = OptionalString(body, "Policy") ?? KmsKeyStore.DefaultPolicy(request.Account);
        CheckPolicy(request, policy, roleArn, OptionalBool(body, "BypassPolicyLockoutSafetyCheck"));

        var multiRegion = OptionalBool(body, "MultiRegion");
        var key = new KmsKey
        {
            KeyId = multiRegion ? "mrk-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) : Guid.NewGuid().ToString("D"),
            Account = request.Account,
            Region = request.Region,
            KeyManager = "CUSTOMER",
            KeySpec = keySpec,
            KeyUsage = keyUsage,
            MultiRegion = multiRegion,
            Description = description,
            CreationDate = Runtime.Clock.Now,
            Policy = policy,
            Tags = [.. tags],
        };
        _keys.AddKey(key);
        return new JsonObject { ["KeyMetadata"] = Metadata(key) };
    }

    private JsonObject ListKeys(AwsRequestContext request, JsonObject body) =>
        Page(body, _keys.KeysOf(request.Account, request.Region), k => new JsonObject { ["KeyId"] = k.KeyId, ["KeyArn"] = k.Arn }, "Keys");

    private JsonObject ChangeState(AwsRequestContext request, JsonObject body, string action, string state)
    {
        var key = Key(request, body, action);
        key.KeyState = state;
        return [];
    }

    private JsonObject ScheduleKeyDeletion(AwsRequestContext request, JsonObject body)
    {
        var key = Key(request, body, "kms:ScheduleKeyDeletion");
        var days = OptionalInt(body, "PendingWindowInDays") ?? 30;
        if (days is < 7 or > 30)
        {
            throw Validation($"1 validation error detected: Value '{days.ToString(CultureInfo.InvariantCulture)}' at 'pendingWindowInDays' " +
                "failed to satisfy constraint: Member must have value between 7 and 30");
        }

        key.KeyState = "PendingDeletion";
        key.PendingWindowInDays = days;
        key.DeletionDate = Runtime.Clock.Now.AddDays(days);
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["DeletionDate"] = Epoch(key.DeletionDate.Value),
            ["KeyState"] = key.KeyState,
            ["PendingWindowInDays"] = days,
        };
    }

    private JsonObject CancelKeyDeletion(AwsRequestContext request, JsonObject body)
    {
        var key = Key(request, body, "kms:CancelKeyDeletion", anyState: true);
        if (key.KeyState != "PendingDeletion")
        {
            throw InvalidState($"{key.Arn} is not pending deletion (current state: {key.KeyState}).");
        }

        // A key whose deletion is cancelled comes back disabled, as in AWS.
        key.KeyState = "Disabled";
        key.DeletionDate = null;
        key.PendingWindowInDays = null;
        return new JsonObject { ["KeyId"] = key.Arn };
    }

    // ---- Helpers --------------------------------------------------------------------------------------

    /// <summary>
    /// The key named by <paramref name="keyMember"/>, checked as KMS checks it: it exists for the
    /// caller, it is the caller's own unless the operation works across accounts, its policy allows
    /// the action, and (unless <paramref name="anyState"/>) it is not pending deletion.
    /// </summary>
    private KmsKey Key(AwsRequestContext request, JsonObject body, string? action, bool crossAccount = false, bool anyState = false, string keyMember = "KeyId")
    {
        var reference = RequiredString(body, keyMember);
        if (reference.StartsWith("arn:", StringComparison.Ordinal) && !KeyArnPattern().IsMatch(reference))
        {
            throw new AwsServiceException("InvalidArnException", $"ARN {reference} is not a valid KMS key or alias ARN.");
        }

        var key = _keys.Resolve(request.Account, request.Region, reference);
        // KMS is regional: a key ARN of another region is not found through this region's endpoint.
        if (key is null || key.Region != request.Region || (key.Account != request.Account && !crossAccount))
        {
            throw reference.Contains("alias/", StringComparison.Ordinal)
                ? NotFound($"Alias {AliasArn(request, reference)} is not found.")
                : NotFound($"Key '{(reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : $"arn:aws:kms:{request.Region}:{request.Account}:key/{reference}")}' does not exist");
        }

        if (action is not null)
        {
            Authorize(request, key, action);
        }

        if (!anyState && key.KeyState == "PendingDeletion")
        {
            throw InvalidState($"{key.Arn} is pending deletion.");
        }

        return key;
    }

    private void Authorize(AwsRequestContext request, KmsKey key, string action)
    {
        var roleArn = RoleArn(request);
        var policyRequest = _keys.RequestFor(request.Account, roleArn, action);
        if (!_keys.Allows(key, policyRequest))
        {
            var who = _sessions.Find(request.Caller.AccessKeyId)?.AssumedRoleArn ?? policyRequest.PrincipalArn;
            throw new AwsServiceException(
                "AccessDeniedException",
                $"User: {who} is not authorized to perform: {action} on resource: {key.Arn} because no resource-based policy allows the {action} action");
        }
    }

    private string? RoleArn(AwsRequestContext request) => _sessions.Find(request.Caller.AccessKeyId)?.RoleArn;

    private static IReadOnlyList<string> AllowedUsages(string keySpec) => keySpec switch
    {
        "SYMMETRIC_DEFAULT" => ["ENCRYPT_DECRYPT"],
        "RSA_2048" or "RSA_3072" or "RSA_4096" => ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
        "ECC_NIST_P256" or "ECC_NIST_P384" or "ECC_NIST_P521" => ["SIGN_VERIFY", "KEY_AGREEMENT"],
        "ECC_SECG_P256K1" or "ECC_NIST_EDWARDS25519" or "ML_DSA_44" or "ML_DSA_65" or "ML_DSA_87" => ["SIGN_VERIFY"],
        "HMAC_224" or "HMAC_256" or "HMAC_384" or "HMAC_512" => ["GENERATE_VERIFY_MAC"],
        "SM2" => ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"],
        _ => [],
    };

    private static JsonObject Metadata(KmsKey key)
    {
        var metadata = new JsonObject
        {
            ["AWSAccountId"] = key.Account,
            ["KeyId"] = key.KeyId,
            ["Arn"] = key.Arn,
            ["CreationDate"] = Epoch(key.CreationDate),
            ["Enabled"] = key.KeyState == "Enabled",
            ["Description"] = key.Description,
            ["KeyUsage"] = key.KeyUsage,
            ["KeyState"] = key.KeyState,
            ["Origin"] = "AWS_KMS",
            ["KeyManager"] = key.KeyManager,
            ["CustomerMasterKeySpec"] = key.KeySpec.StartsWith("ML_DSA", StringComparison.Ordinal) || key.KeySpec == "ECC_NIST_EDWARDS25519" ? null : key.KeySpec,
            ["KeySpec"] = key.KeySpec,
            ["MultiRegion"] = key.MultiRegion,
        };
        if (metadata["CustomerMasterKeySpec"] is null)
        {
            metadata.Remove("CustomerMasterKeySpec");
        }

        AddAlgorithms(metadata, key);
        if (key.MultiRegion)
        {
            metadata["MultiRegionConfiguration"] = new JsonObject
            {
                ["MultiRegionKeyType"] = "PRIMARY",
                ["PrimaryKey"] = new JsonObject { ["Arn"] = key.Arn, ["Region"] = key.Region },
                ["ReplicaKeys"] = new JsonArray(),
            };
        }

        if (key.KeyState == "PendingDeletion" && key.DeletionDate is { } deletionDate)
        {
            metadata["DeletionDate"] = Epoch(deletionDate);
            metadata["PendingDeletionWindowInDays"] = key.PendingWindowInDays;
        }

        return metadata;
    }

    /// <summary>The algorithms the key's usage and spec allow, as DescribeKey lists them.</summary>
    private static void AddAlgorithms(JsonObject metadata, KmsKey key)
    {
        switch (key.KeyUsage)
        {
            case "ENCRYPT_DECRYPT":
                metadata["EncryptionAlgorithms"] = key.KeySpec == "SYMMETRIC_DEFAULT"
                    ? new JsonArray("SYMMETRIC_DEFAULT")
                    : key.KeySpec == "SM2" ? new JsonArray("SM2PKE") : new JsonArray("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256");
                break;
            case "SIGN_VERIFY":
                metadata["SigningAlgorithms"] = key.KeySpec switch
                {
                    var rsa when rsa.StartsWith("RSA", StringComparison.Ordinal) => new JsonArray(
                        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"),
                    "ECC_NIST_P384" => new JsonArray("ECDSA_SHA_384"),
                    "ECC_NIST_P521" => new JsonArray("ECDSA_SHA_512"),
                    "SM2" => new JsonArray("SM2DSA"),
                    var ml when ml.StartsWith("ML_DSA", StringComparison.Ordinal) => new JsonArray("ML_DSA_SHAKE_256"),
                    "ECC_NIST_EDWARDS25519" => new JsonArray("ED25519_SHA_512"),
                    _ => new JsonArray("ECDSA_SHA_256"),
                };
                break;
            case "GENERATE_VERIFY_MAC":
                metadata["MacAlgorithms"] = new JsonArray("HMAC_SHA_" + key.KeySpec["HMAC_".Length..]);
                break;
            case "KEY_AGREEMENT":
                metadata["KeyAgreementAlgorithms"] = new JsonArray("ECDH");
                break;
        }
    }

    /// <summary>Limit (1-100, default 50) and an opaque Marker; the response says Truncated and gives NextMarker.</summary>
    private static JsonObject Page<T>(JsonObject body, IReadOnlyList<T> items, Func<T, JsonObject> render, string listName)
    {
        var limit = OptionalInt(body, "Limit") ?? DefaultPageSize;
        if (limit is < 1 or > 1000)
        {
            throw Validation($"1 validation error detected: Value '{limit.ToString(CultureInfo.InvariantCulture)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000");
        }

        limit = Math.Min(limit, 100);
        var start = 0;
        if (OptionalString(body, "Marker") is { } marker)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(marker)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new AwsServiceException("InvalidMarkerException", "The marker that specifies where pagination should next begin is not valid.");
            }
        }

        var page = items.Skip(start).Take(limit).Select(render).ToArray();
        var result = new JsonObject { [listName] = new JsonArray(page), ["Truncated"] = start + limit < items.Count };
        if (start + limit < items.Count)
        {
            result["NextMarker"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((start + limit).ToString(CultureInfo.InvariantCulture)));
        }

        return result;
    }

    internal static JsonValue Epoch(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000.0);

    private static string RequiredString(JsonObject body, string name) =>
        OptionalString(body, name) is { Length: > 0 } value
            ? value
            : throw Validation($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    private static string? OptionalString(JsonObject body, string name) => Read(body, name, n => n.GetValue<string>());

    private static bool OptionalBool(JsonObject body, string name) => Read(body, name, n => (bool?)n.GetValue<bool>()) ?? false;

    private static int? OptionalInt(JsonObject body, string name) => Read(body, name, n => (int?)n.GetValue<int>());

    private static T? Read<T>(JsonObject body, string name, Func<JsonNode, T> read)
    {
        try
        {
            return body[name] is { } node ? read(node) : default;
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException)
        {
            throw new AwsServiceException("SerializationException", $"The value of {name} has the wrong type.");
        }
    }

    private static AwsServiceException Validation(string message) => new("ValidationException", message);

    private static AwsServiceException NotFound(string message) => new("NotFoundException", message);

    private static AwsServiceException InvalidState(string message) => new("KMSInvalidStateException", message);

    [GeneratedRegex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[a-zA-Z0-9/_-]+)$")]
    private static partial Regex KeyArnPattern();
}
