using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rekey.Sandbox.Core;

/// <summary>JSON settings shared by the state file and the sandbox API.</summary>
public static class SandboxJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}
