using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.KeyManagementService;

/// <summary>Aliases: a name in the account and region for one key; the alias/aws/ names belong to AWS managed keys.</summary>
public sealed partial class KmsService
{
    private JsonObject CreateAlias(AwsRequestContext request, JsonObject body)
    {
        var aliasName = RequiredString(body, "AliasName");
        ValidateAliasName(aliasName);
        var key = Key(request, body, "kms:CreateAlias", keyMember: "TargetKeyId");
        if (key.Account != request.Account)
        {
            throw NotFound($"Key '{key.Arn}' does not exist");
        }

        if (_keys.FindAlias(request.Account, request.Region, aliasName) is not null)
        {
            throw new AwsServiceException("AlreadyExistsException", $"An alias with the name arn:aws:kms:{request.Region}:{request.Account}:{aliasName} already exists");
        }

        var now = Runtime.Clock.Now;
        _keys.AddAlias(new KmsAlias { Account = request.Account, Region = request.Region, AliasName = aliasName, TargetKeyId = key.KeyId, CreationDate = now, LastUpdatedDate = now });
        return [];
    }

    private JsonObject DeleteAlias(AwsRequestContext request, JsonObject body)
    {
        var aliasName = RequiredString(body, "AliasName");
        ValidateAliasName(aliasName);
        var alias = _keys.FindAlias(request.Account, request.Region, aliasName)
            ?? throw NotFound($"Alias arn:aws:kms:{request.Region}:{request.Account}:{aliasName} is not found.");
        var key = _keys.Resolve(request.Account, request.Region, alias.TargetKeyId)!;
        Authorize(request, key, "kms:DeleteAlias");
        _keys.RemoveAlias(alias);
        return [];
    }

    private JsonObject ListAliases(AwsRequestContext request, JsonObject body)
    {
        var aliases = _keys.AliasesOf(request.Account, request.Region)
            .Select(a => (a.AliasName, Alias: (KmsAlias?)a))
            .ToList();

        // AWS lists the predefined aliases of AWS managed keys even before their keys exist, without a TargetKeyId.
        foreach (var service in KmsKeyStore.ManagedKeyServices)
        {
            var name = "alias/aws/" + service;
            if (!aliases.Exists(a => a.AliasName == name))
            {
                aliases.Add((name, null));
            }
        }

        if (OptionalString(body, "KeyId") is not null)
        {
            // kms:ListAliases is granted by IAM, not by the key policy: only the key's existence is checked.
            var key = Key(request, body, action: null, anyState: true);
            if (key.Account != request.Account)
            {
                throw new AwsServiceException("InvalidArnException", "ListAliases does not accept the key of another account.");
            }

            aliases = [.. aliases.Where(a => a.Alias?.TargetKeyId == key.KeyId)];
        }

        var ordered = aliases.OrderBy(a => a.AliasName, StringComparer.Ordinal).ToList();
        return Page(body, ordered, a =>
        {
            var entry = new JsonObject
            {
                ["AliasName"] = a.AliasName,
                ["AliasArn"] = $"arn:aws:kms:{request.Region}:{request.Account}:{a.AliasName}",
            };
            if (a.Alias is { } alias)
            {
                entry["TargetKeyId"] = alias.TargetKeyId;
                entry["CreationDate"] = Epoch(alias.CreationDate);
                entry["LastUpdatedDate"] = Epoch(alias.LastUpdatedDate);
            }

            return entry;
        }, "Aliases");
    }

    private static void ValidateAliasName(string aliasName)
    {
        if (!aliasName.StartsWith("alias/", StringComparison.Ordinal) || !AliasNamePattern().IsMatch(aliasName))
        {
            throw new AwsServiceException(
                "ValidationException",
                $"1 validation error detected: Value '{aliasName}' at 'aliasName' failed to satisfy constraint: " +
                "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
        }

        if (aliasName.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            // The alias/aws/ prefix belongs to AWS managed keys; AWS documents the rule but not its
            // error, so the model's InvalidAliasNameException.
            throw new AwsServiceException("InvalidAliasNameException", "Cannot create, update or delete an alias whose name begins with alias/aws/. That prefix is reserved for AWS managed keys.");
        }
    }

    private static string AliasArn(AwsRequestContext request, string reference) =>
        reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : $"arn:aws:kms:{request.Region}:{request.Account}:{reference}";

    [GeneratedRegex("^alias/[a-zA-Z0-9:/_-]{1,250}$")]
    private static partial Regex AliasNamePattern();
}
