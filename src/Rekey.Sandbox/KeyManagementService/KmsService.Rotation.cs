using System.Globalization;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.KeyManagementService;

/// <summary>Automatic rotation of symmetric keys, every 90 to 2560 days.</summary>
public sealed partial class KmsService
{
    private JsonObject SetRotation(AwsRequestContext request, JsonObject body, bool enabled)
    {
        var key = Key(request, body, enabled ? "kms:EnableKeyRotation" : "kms:DisableKeyRotation");
        if (key.KeyState == "Disabled")
        {
            throw new AwsServiceException("DisabledException", $"{key.Arn} is disabled.");
        }

        if (key.KeySpec != "SYMMETRIC_DEFAULT")
        {
            throw new AwsServiceException("UnsupportedOperationException", $"{key.Arn} key usage or spec does not support automatic key rotation.");
        }

        var days = OptionalInt(body, "RotationPeriodInDays") ?? 365;
        if (enabled && days is < 90 or > 2560)
        {
            throw Validation($"1 validation error detected: Value '{days.ToString(CultureInfo.InvariantCulture)}' at 'rotationPeriodInDays' " +
                "failed to satisfy constraint: Member must have value between 90 and 2560");
        }

        key.RotationEnabled = enabled;
        key.RotationPeriodInDays = enabled ? days : null;
        key.NextRotationDate = enabled ? Runtime.Clock.Now.AddDays(days) : null;
        return [];
    }

    private JsonObject GetKeyRotationStatus(AwsRequestContext request, JsonObject body)
    {
        var key = Key(request, body, "kms:GetKeyRotationStatus", crossAccount: true, anyState: true);
        var result = new JsonObject { ["KeyRotationEnabled"] = key.RotationEnabled, ["KeyId"] = key.Arn };
        if (key.RotationEnabled)
        {
            result["RotationPeriodInDays"] = key.RotationPeriodInDays;
            result["NextRotationDate"] = Epoch(key.NextRotationDate!.Value);
        }

        return result;
    }
}
