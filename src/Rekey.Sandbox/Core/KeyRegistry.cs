using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Core;

/// <summary>A KMS key as other services (RDS, Backup) need to see it.</summary>
public sealed record SandboxKey
{
    public required string KeyId { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>AWS or CUSTOMER.</summary>
    public required string KeyManager { get; init; }

    /// <summary>Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, Creating...</summary>
    public string KeyState { get; init; } = "Enabled";

    public string KeySpec { get; init; } = "SYMMETRIC_DEFAULT";

    public string KeyUsage { get; init; } = "ENCRYPT_DECRYPT";

    public bool MultiRegion { get; init; }

    public string? Description { get; init; }

    public DateTimeOffset CreationDate { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public string Arn => $"arn:aws:kms:{Region}:{Account}:key/{KeyId}";

    public bool IsUsableForEncryption => KeyState == "Enabled" && KeySpec == "SYMMETRIC_DEFAULT" && KeyUsage == "ENCRYPT_DECRYPT";
}

/// <summary>
/// The keys other services validate against. The KMS service implements it fully (policies,
/// grants, rotation); <see cref="ManagedKeyRegistry"/> is the minimal one: the AWS managed keys
/// (<c>alias/aws/rds</c>, <c>alias/aws/backup</c>...) per account and region, created on first use
/// as AWS does, plus customer keys added through the sandbox API.
/// </summary>
public interface IKeyRegistry
{
    /// <summary>
    /// Resolves a key id, key ARN, alias name (<c>alias/x</c>) or alias ARN as <paramref name="callerAccount"/>
    /// sees it in <paramref name="region"/>; null when it does not exist.
    /// </summary>
    SandboxKey? Find(string callerAccount, string region, string keyReference);

    /// <summary>The AWS managed key of a service (<c>rds</c> for <c>alias/aws/rds</c>), created on first use.</summary>
    SandboxKey AwsManagedKey(string account, string region, string service);

    /// <summary>Whether <paramref name="callerAccount"/> may use the key for the KMS action (e.g. kms:CreateGrant).</summary>
    bool MayUse(string callerAccount, SandboxKey key, string action);

    SandboxKey CreateCustomerKey(string account, string region, string? alias, string? description);

    SandboxKey SetKeyState(string account, string region, string keyId, string keyState);
}

/// <summary>Keys until the KMS service provides its own registry: same-account use only.</summary>
public sealed class ManagedKeyRegistry(SandboxClock clock) : IKeyRegistry, IStatefulComponent
{
    private readonly Lock _sync = new();
    private List<SandboxKey> _keys = [];

    public string StateKey => "keys";

    public SandboxKey? Find(string callerAccount, string region, string keyReference)
    {
        ArgumentNullException.ThrowIfNull(keyReference);
        if (keyReference == "alias/aws/rds" || keyReference.EndsWith(":alias/aws/rds", StringComparison.Ordinal))
        {
            var owner = keyReference.StartsWith("arn:", StringComparison.Ordinal) ? keyReference.Split(':')[4] : callerAccount;
            return AwsManagedKey(owner, region, "rds");
        }

        lock (_sync)
        {
            return _keys.FirstOrDefault(k => Refers(k, callerAccount, region, keyReference));
        }
    }

    public SandboxKey AwsManagedKey(string account, string region, string service)
    {
        var alias = $"alias/aws/{service}";
        lock (_sync)
        {
            var key = _keys.FirstOrDefault(k => k.Account == account && k.Region == region && k.Aliases.Contains(alias));
            if (key is null)
            {
                key = new SandboxKey
                {
                    KeyId = Guid.NewGuid().ToString("D"),
                    Account = account,
                    Region = region,
                    KeyManager = "AWS",
                    Description = $"Default key that protects my {service.ToUpperInvariant()} resources when no other key is defined",
                    CreationDate = clock.Now,
                    Aliases = [alias],
                };
                _keys.Add(key);
            }

            return key;
        }
    }

    public bool MayUse(string callerAccount, SandboxKey key, string action)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Account == callerAccount;
    }

    public SandboxKey CreateCustomerKey(string account, string region, string? alias, string? description)
    {
        var key = new SandboxKey
        {
            KeyId = Guid.NewGuid().ToString("D"),
            Account = account,
            Region = region,
            KeyManager = "CUSTOMER",
            Description = description ?? string.Empty,
            CreationDate = clock.Now,
            Aliases = alias is null ? [] : [alias.StartsWith("alias/", StringComparison.Ordinal) ? alias : "alias/" + alias],
        };
        lock (_sync)
        {
            if (key.Aliases.Count > 0 && _keys.Any(k => k.Account == account && k.Region == region && k.Aliases.Contains(key.Aliases[0])))
            {
                throw new InvalidOperationException($"The alias {key.Aliases[0]} already exists in {account} {region}.");
            }

            _keys.Add(key);
        }

        return key;
    }

    public SandboxKey SetKeyState(string account, string region, string keyId, string keyState)
    {
        lock (_sync)
        {
            var index = _keys.FindIndex(k => k.Account == account && k.Region == region && k.KeyId == keyId);
            if (index < 0)
            {
                throw new KeyNotFoundException($"No key {keyId} in {account} {region}.");
            }

            _keys[index] = _keys[index] with { KeyState = keyState };
            return _keys[index];
        }
    }

    public JsonNode Save()
    {
        lock (_sync)
        {
            return JsonSerializer.SerializeToNode(_keys, SandboxJson.Options)!;
        }
    }

    public void Load(JsonNode state)
    {
        lock (_sync)
        {
            _keys = state.Deserialize<List<SandboxKey>>(SandboxJson.Options) ?? [];
        }
    }

    private static bool Refers(SandboxKey key, string callerAccount, string region, string reference)
    {
        if (reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            return reference == key.Arn || key.Aliases.Any(a => reference == $"arn:aws:kms:{key.Region}:{key.Account}:{a}");
        }

        return key.Account == callerAccount && key.Region == region &&
            (key.KeyId == reference || key.Aliases.Contains(reference));
    }
}
