using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Core.Policies;
using Rekey.Sandbox.SecurityToken;

namespace Rekey.Sandbox.KeyManagementService;

public sealed record KmsTag(string TagKey, string TagValue);

/// <summary>A KMS key as the sandbox keeps it (and saves it in the state file).</summary>
public sealed class KmsKey
{
    public required string KeyId { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>AWS or CUSTOMER.</summary>
    public required string KeyManager { get; init; }

    public string KeyState { get; set; } = "Enabled";

    public string KeySpec { get; init; } = "SYMMETRIC_DEFAULT";

    public string KeyUsage { get; init; } = "ENCRYPT_DECRYPT";

    public bool MultiRegion { get; init; }

    public string Description { get; set; } = string.Empty;

    public DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset? DeletionDate { get; set; }

    public int? PendingWindowInDays { get; set; }

    /// <summary>The key policy exactly as it was given (policy name "default").</summary>
    public required string Policy { get; set; }

    public bool RotationEnabled { get; set; }

    public int? RotationPeriodInDays { get; set; }

    public DateTimeOffset? NextRotationDate { get; set; }

    public List<KmsTag> Tags { get; set; } = [];

    public string Arn => $"arn:aws:kms:{Region}:{Account}:key/{KeyId}";
}

/// <summary>An alias: a name in one account and region that points at one key of that account and region.</summary>
public sealed class KmsAlias
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string AliasName { get; init; }

    public required string TargetKeyId { get; set; }

    public DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset LastUpdatedDate { get; set; }

    public string Arn => $"arn:aws:kms:{Region}:{Account}:{AliasName}";
}

/// <summary>
/// Every KMS key and alias of every account and region. It is the sandbox's <see cref="IKeyRegistry"/>:
/// RDS and Backup see real KMS state (key states, key policies). AWS managed keys
/// (<c>alias/aws/rds</c>...) are created on first use, as AWS creates them, with the key policy AWS
/// gives them: usable only through their service, by principals of their own account.
/// </summary>
public sealed class KmsKeyStore(SandboxClock clock, SandboxOrganizations organizations, StsSessions sessions) : IKeyRegistry, IStatefulComponent, IClockDriven
{
    /// <summary>The services whose AWS managed key exists on first use (DescribeKey, a resource encrypted by default).</summary>
    public static readonly IReadOnlyList<string> ManagedKeyServices = ["rds", "backup", "ebs", "s3", "sns", "secretsmanager", "lambda"];

    private readonly Lock _sync = new();
    private List<KmsKey> _keys = [];
    private List<KmsAlias> _aliases = [];

    public string StateKey => "kms";

    public static string DefaultPolicy(string account) => $$"""
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "arn:aws:iam::{{account}}:root"
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """;

    /// <summary>The key policy AWS gives an AWS managed key: use only through its service, from its own account.</summary>
    public static string ManagedKeyPolicy(string account, string region, string service) => $$"""
        {
          "Version" : "2012-10-17",
          "Id" : "auto-{{service}}-2",
          "Statement" : [ {
            "Sid" : "Allow access through {{service.ToUpperInvariant()}} for all principals in the account that are authorized to use {{service.ToUpperInvariant()}}",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "*"
            },
            "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey" ],
            "Resource" : "*",
            "Condition" : {
              "StringEquals" : {
                "kms:CallerAccount" : "{{account}}",
                "kms:ViaService" : "{{service}}.{{region}}.amazonaws.com"
              }
            }
          }, {
            "Sid" : "Allow direct access to key metadata to the account",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "arn:aws:iam::{{account}}:root"
            },
            "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ],
            "Resource" : "*"
          } ]
        }
        """;

    // ---- Lookups ----------------------------------------------------------------------------

    /// <summary>
    /// Resolves a key id, key ARN, alias name or alias ARN as <paramref name="callerAccount"/> sees it
    /// in <paramref name="region"/>. Key ids and alias names are the caller's own; ARNs may name
    /// another account. Referring to a predefined AWS alias creates its AWS managed key, as in AWS.
    /// </summary>
    public KmsKey? Resolve(string callerAccount, string region, string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (account, keyRegion, local) = SplitReference(callerAccount, region, reference);
        lock (_sync)
        {
            if (local.StartsWith("alias/", StringComparison.Ordinal))
            {
                var alias = _aliases.FirstOrDefault(a => a.Account == account && a.Region == keyRegion && a.AliasName == local);
                if (alias is not null)
                {
                    return _keys.FirstOrDefault(k => k.Account == account && k.Region == keyRegion && k.KeyId == alias.TargetKeyId);
                }

                var service = local.StartsWith("alias/aws/", StringComparison.Ordinal) ? local["alias/aws/".Length..] : null;
                return service is not null && ManagedKeyServices.Contains(service) ? ManagedKeyUnderLock(account, keyRegion, service) : null;
            }

            var keyId = local.StartsWith("key/", StringComparison.Ordinal) ? local["key/".Length..] : local;
            return _keys.FirstOrDefault(k => k.Account == account && k.Region == keyRegion && k.KeyId == keyId);
        }
    }

    public IReadOnlyList<KmsAlias> AliasesOf(string account, string region)
    {
        lock (_sync)
        {
            return [.. _aliases.Where(a => a.Account == account && a.Region == region).OrderBy(a => a.AliasName, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<KmsKey> KeysOf(string account, string region)
    {
        lock (_sync)
        {
            return [.. _keys.Where(k => k.Account == account && k.Region == region)];
        }
    }

    public void RemoveAlias(KmsAlias alias)
    {
        lock (_sync)
        {
            _aliases.Remove(alias);
        }
    }

    public KmsAlias? FindAlias(string account, string region, string aliasName)
    {
        lock (_sync)
        {
            return _aliases.FirstOrDefault(a => a.Account == account && a.Region == region && a.AliasName == aliasName);
        }
    }

    public void AddAlias(KmsAlias alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        lock (_sync)
        {
            _aliases.Add(alias);
        }
    }

    public void AddKey(KmsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_sync)
        {
            _keys.Add(key);
        }
    }

    /// <summary>Whether the key's policy lets the principal do the action (see <see cref="PolicyEvaluator"/>).</summary>
    public bool Allows(KmsKey key, PolicyRequest request)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_sync)
        {
            return PolicyEvaluator.IsAllowed(key.Policy, request);
        }
    }

    /// <summary>The request a principal of <paramref name="account"/> makes, with its organization filled in.</summary>
    public PolicyRequest RequestFor(string account, string? roleArn, string action, string? viaService = null, bool grantIsForAwsResource = false) => new()
    {
        PrincipalAccount = account,
        RoleArn = roleArn,
        Action = action,
        PrincipalOrgId = organizations.Of(account)?.Id,
        ViaService = viaService,
        GrantIsForAwsResource = grantIsForAwsResource,
    };

    // ---- IKeyRegistry ---------------------------------------------------------------------------

    public SandboxKey? Find(string callerAccount, string region, string keyReference) =>
        Resolve(callerAccount, region, keyReference) is { } key ? View(key) : null;

    public SandboxKey AwsManagedKey(string account, string region, string service)
    {
        lock (_sync)
        {
            return View(ManagedKeyUnderLock(account, region, service));
        }
    }

    /// <summary>
    /// Whether the account's principals may use the key for the action. The interface carries no
    /// service, so kms:ViaService is unknown here and statements that require it do not apply:
    /// an AWS managed key is never usable by another account this way, as in AWS. Grants that a
    /// service creates are for its resources (kms:GrantIsForAWSResource true).
    /// </summary>
    public bool MayUse(string callerAccount, SandboxKey key, string action)
    {
        ArgumentNullException.ThrowIfNull(key);
        var stored = Resolve(callerAccount, key.Region, key.Arn);
        return stored is not null &&
            Allows(stored, RequestFor(callerAccount, roleArn: null, action, grantIsForAwsResource: action == "kms:CreateGrant"));
    }

    public bool MayServiceUse(CallerScope caller, SandboxKey key, string viaService)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyManager == "AWS")
        {
            // An AWS managed key's policy lets every principal of its account use it through the service.
            return key.Account == caller.Account;
        }

        var stored = Resolve(caller.Account, key.Region, key.Arn);
        var roleArn = sessions.Find(caller.AccessKeyId)?.RoleArn;
        return stored is not null && KeyUse.ServiceUseActions.All(action =>
            Allows(stored, RequestFor(caller.Account, roleArn, action, viaService, grantIsForAwsResource: action == "kms:CreateGrant")));
    }

    public SandboxKey CreateCustomerKey(string account, string region, string? alias, string? description)
    {
        var aliasName = alias is null ? null : alias.StartsWith("alias/", StringComparison.Ordinal) ? alias : "alias/" + alias;
        var key = new KmsKey
        {
            KeyId = Guid.NewGuid().ToString("D"),
            Account = account,
            Region = region,
            KeyManager = "CUSTOMER",
            Description = description ?? string.Empty,
            CreationDate = clock.Now,
            Policy = DefaultPolicy(account),
        };
        lock (_sync)
        {
            if (aliasName is not null && _aliases.Any(a => a.Account == account && a.Region == region && a.AliasName == aliasName))
            {
                throw new InvalidOperationException($"The alias {aliasName} already exists in {account} {region}.");
            }

            _keys.Add(key);
            if (aliasName is not null)
            {
                _aliases.Add(new KmsAlias { Account = account, Region = region, AliasName = aliasName, TargetKeyId = key.KeyId, CreationDate = clock.Now, LastUpdatedDate = clock.Now });
            }

            return View(key);
        }
    }

    public SandboxKey SetKeyState(string account, string region, string keyId, string keyState)
    {
        lock (_sync)
        {
            var key = _keys.FirstOrDefault(k => k.Account == account && k.Region == region && k.KeyId == keyId)
                ?? throw new KeyNotFoundException($"No key {keyId} in {account} {region}.");
            key.KeyState = keyState;
            if (keyState == "PendingDeletion" && key.DeletionDate is null)
            {
                key.PendingWindowInDays = 30;
                key.DeletionDate = clock.Now.AddDays(30);
            }
            else if (keyState != "PendingDeletion")
            {
                key.PendingWindowInDays = null;
                key.DeletionDate = null;
            }

            return View(key);
        }
    }

    // ---- Time and state ---------------------------------------------------------------------------

    /// <summary>Keys whose deletion date has passed are deleted, with their aliases.</summary>
    public void AdvanceTo(DateTimeOffset now)
    {
        lock (_sync)
        {
            var deleted = _keys.Where(k => k.KeyState == "PendingDeletion" && k.DeletionDate <= now).ToList();
            foreach (var key in deleted)
            {
                _keys.Remove(key);
                _aliases.RemoveAll(a => a.Account == key.Account && a.Region == key.Region && a.TargetKeyId == key.KeyId);
            }
        }
    }

    public JsonNode Save()
    {
        lock (_sync)
        {
            return new JsonObject
            {
                ["keys"] = JsonSerializer.SerializeToNode(_keys, SandboxJson.Options),
                ["aliases"] = JsonSerializer.SerializeToNode(_aliases, SandboxJson.Options),
            };
        }
    }

    public void Load(JsonNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_sync)
        {
            _keys = state["keys"]?.Deserialize<List<KmsKey>>(SandboxJson.Options) ?? [];
            _aliases = state["aliases"]?.Deserialize<List<KmsAlias>>(SandboxJson.Options) ?? [];
        }
    }

    /// <summary>The key as other services see it.</summary>
    public SandboxKey View(KmsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_sync)
        {
            return new SandboxKey
            {
                KeyId = key.KeyId,
                Account = key.Account,
                Region = key.Region,
                KeyManager = key.KeyManager,
                KeyState = key.KeyState,
                KeySpec = key.KeySpec,
                KeyUsage = key.KeyUsage,
                MultiRegion = key.MultiRegion,
                Description = key.Description,
                CreationDate = key.CreationDate,
                Aliases = [.. _aliases.Where(a => a.Account == key.Account && a.Region == key.Region && a.TargetKeyId == key.KeyId).Select(a => a.AliasName)],
            };
        }
    }

    private KmsKey ManagedKeyUnderLock(string account, string region, string service)
    {
        var aliasName = "alias/aws/" + service;
        var alias = _aliases.FirstOrDefault(a => a.Account == account && a.Region == region && a.AliasName == aliasName);
        if (alias is not null && _keys.FirstOrDefault(k => k.Account == account && k.Region == region && k.KeyId == alias.TargetKeyId) is { } existing)
        {
            return existing;
        }

        var now = clock.Now;
        var key = new KmsKey
        {
            KeyId = Guid.NewGuid().ToString("D"),
            Account = account,
            Region = region,
            KeyManager = "AWS",
            Description = service == "rds"
                ? "Default key that protects my RDS database volumes when no other key is defined"
                : string.Create(CultureInfo.InvariantCulture, $"Default key that protects my {service.ToUpperInvariant()} resources when no other key is defined"),
            CreationDate = now,
            Policy = ManagedKeyPolicy(account, region, service),

            // AWS managed keys rotate every year, and nobody can change that.
            RotationEnabled = true,
            RotationPeriodInDays = 365,
            NextRotationDate = now.AddDays(365),
        };
        _keys.Add(key);
        _aliases.Add(new KmsAlias { Account = account, Region = region, AliasName = aliasName, TargetKeyId = key.KeyId, CreationDate = now, LastUpdatedDate = now });
        return key;
    }

    // (account, region, "key/<id>" | "<id>" | "alias/<name>")
    private static (string Account, string Region, string Local) SplitReference(string callerAccount, string region, string reference)
    {
        if (reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            // arn:aws:kms:REGION:ACCOUNT:key/ID or :alias/NAME
            var parts = reference.Split(':', 6);
            return parts.Length == 6 && parts[2] == "kms" ? (parts[4], parts[3], parts[5]) : (string.Empty, string.Empty, string.Empty);
        }

        return (callerAccount, region, reference);
    }
}
