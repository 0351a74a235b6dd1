using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rekey.Fleet;

/// <summary>
/// A cluster that is a candidate for a cutover: it is not on a customer managed key of the account (the AWS
/// managed key aws/rds, an AWS owned key, or no encryption at all), so its backups cannot leave the account
/// protected by a key the account controls. The property names are the JSON (and GitHub Actions matrix) keys.
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

    /// <summary>botocore's StorageEncryptionType: none, sse-rds (an AWS owned key) or sse-kms.</summary>
    public string? StorageEncryptionType { get; init; }

    /// <summary>The key as an operator reads it: the key ARN, "AWS owned" or "none".</summary>
    public string? Key { get; init; }

    /// <summary>Why the cluster's backups cannot be copied to the backup account (or, unencrypted, how they can).</summary>
    public string? Backups { get; init; }

    /// <summary>What the operator should know about this cluster (e.g. how an unencrypted one is migrated instead).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }
}

/// <summary>A cluster the scan saw and did not list, and why.</summary>
public sealed record LeftOutCluster(string Cluster, string Region, string Reason);

/// <summary>A Region the scan could not read, and why.</summary>
public sealed record SkippedRegion(string Region, string Reason);

/// <summary>What an inventory scan found.</summary>
public sealed record InventoryResult
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly JsonSerializerOptions CompactJson = new(JsonSerializerDefaults.Web);

    public required string Account { get; init; }

    public required IReadOnlyList<string> Regions { get; init; }

    public required IReadOnlyList<InventoryEntry> Clusters { get; init; }

    public required IReadOnlyList<SkippedRegion> Skipped { get; init; }

    /// <summary>Every cluster seen and not listed, each with its reason.</summary>
    public IReadOnlyList<LeftOutCluster> LeftOut { get; init; } = [];

    /// <summary>The clusters left out, as a JSON array of {cluster, region, reason}.</summary>
    public string LeftOutJson() => JsonSerializer.Serialize(LeftOut, Json);

    /// <summary>Every cluster found, as a top-level JSON array (one object per cluster).</summary>
    public string ToJson() => JsonSerializer.Serialize(Clusters, Json);

    /// <summary>The same array on one line, as a GitHub Actions step output wants it.</summary>
    public string ToMatrixJson() => JsonSerializer.Serialize(Clusters, CompactJson);

    public static IReadOnlyList<InventoryEntry> FromJson(string json) =>
        JsonSerializer.Deserialize<List<InventoryEntry>>(json, Json) ?? [];
}
