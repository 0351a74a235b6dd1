using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rekey.Inventory;

/// <summary>
/// A cluster that is a candidate for a cutover: its storage key is the AWS managed key, or it is not
/// encrypted at all (listed with a note, since a point-in-time restore cannot encrypt it).
/// The property names are the JSON (and GitHub Actions matrix) keys.
/// </summary>
public sealed record InventoryEntry
{
    public required string Cluster { get; init; }

    public required string Region { get; init; }

    public required string Account { get; init; }

    public string? Engine { get; init; }

    public string? EngineVersion { get; init; }

    public string? KeyId { get; init; }

    /// <summary>KMS's KeyManager (AWS) for an encrypted cluster; null for an unencrypted one.</summary>
    public string? KeyManager { get; init; }

    public int Instances { get; init; }

    public bool Encrypted { get; init; }

    /// <summary>What the operator should know about this cluster (e.g. how an unencrypted one is migrated instead).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }
}

/// <summary>A Region the scan could not read, and why.</summary>
public sealed record SkippedRegion(string Region, string Reason);

/// <summary>
/// A cluster the scan could not judge, and why (its key was deleted, or KMS did not answer for it). It is no
/// candidate for the matrix, but the operator must see it.
/// </summary>
public sealed record UnassessedCluster(string Cluster, string Region, string Account, string KeyId, string? Status, string Reason);

/// <summary>What an inventory scan found.</summary>
public sealed record InventoryResult
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly JsonSerializerOptions CompactJson = new(JsonSerializerDefaults.Web);

    public required string Account { get; init; }

    public required IReadOnlyList<string> Regions { get; init; }

    public required IReadOnlyList<InventoryEntry> Clusters { get; init; }

    public required IReadOnlyList<SkippedRegion> Skipped { get; init; }

    /// <summary>Clusters the scan found but could not judge, each with the reason.</summary>
    public IReadOnlyList<UnassessedCluster> Unassessed { get; init; } = [];

    /// <summary>Every cluster found, as a top-level JSON array (one object per cluster).</summary>
    public string ToJson() => JsonSerializer.Serialize(Clusters, Json);

    /// <summary>The clusters the scan could not judge, as a JSON array.</summary>
    public string UnassessedToJson() => JsonSerializer.Serialize(Unassessed, Json);

    /// <summary>The same array on one line, as a GitHub Actions step output wants it.</summary>
    public string ToMatrixJson() => JsonSerializer.Serialize(Clusters, CompactJson);

    public static IReadOnlyList<InventoryEntry> FromJson(string json) =>
        JsonSerializer.Deserialize<List<InventoryEntry>>(json, Json) ?? [];
}
