using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.IdentityManagement;
using Rekey.Sandbox.KeyManagementService;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Backup;

/// <summary>
/// AWS Backup (REST-JSON, 2018-11-15) for Aurora clusters: vaults and their access policies,
/// plans with copy rules, selections, global settings of the organization, backup jobs whose
/// recovery points keep the cluster's own key, and copy jobs into other accounts' vaults that
/// succeed or fail the way AWS's do (see <see cref="BackupState"/>).
/// </summary>
public sealed partial class BackupService : RestJsonService
{
    private readonly BackupState _state;
    private readonly RdsState _rds;
    private readonly KmsKeyStore _keys;
    private readonly IamRoles _roles;

    public BackupService(SandboxRuntime runtime, BackupState state, RdsState rds, KmsKeyStore keys, IamRoles roles)
        : base(runtime)
    {
        _state = state;
        _rds = rds;
        _keys = keys;
        _roles = roles;
        RegisterVaultOperations();
        RegisterPlanOperations();
        RegisterGlobalSettingsOperations();
        RegisterJobOperations();
        RegisterTagOperations();
    }

    public override string SigningName => "backup";

    // ---- Helpers -----------------------------------------------------------------------------------------------

    private BackupVault Vault(AwsRequestContext request, string name, string? accountId = null)
    {
        // Another account's vault is not visible here (that needs RAM sharing, which the sandbox does not model).
        if (!string.IsNullOrEmpty(accountId) && accountId != request.Account)
        {
            throw NotFound($"Backup vault {name} in account {accountId} is not accessible from account {request.Account}.", name);
        }

        return _state.FindVault(request.Account, request.Region, name)
            ?? throw NotFound($"Backup vault {name} does not exist in account {request.Account} ({request.Region}).", $"arn:aws:backup:{request.Region}:{request.Account}:backup-vault:{name}");
    }

    private BackupPlan Plan(AwsRequestContext request, string id) =>
        _state.Plans.FirstOrDefault(p => p.Account == request.Account && p.Region == request.Region && p.Id == id)
            ?? throw NotFound($"Backup plan {id} does not exist.", id);

    /// <summary>The role exists in the caller's own account (AWS Backup passes roles of the account it works in).</summary>
    private bool RoleExists(AwsRequestContext request, string roleArn) =>
        _roles.FindUsable(roleArn, Runtime.Clock.Now) is { } role && role.Account == request.Account;

    /// <summary>
    /// StartBackupJob and StartCopyJob with a role that does not exist. AWS does not document
    /// when it notices: it may accept the job and fail it when it cannot assume the role. The
    /// sandbox refuses at once with the model's InvalidParameterValueException, so a missing
    /// service role can never pass a rehearsal; the wording is the sandbox's.
    /// </summary>
    private void RequireRoleForJob(AwsRequestContext request, string roleArn)
    {
        if (!RoleExists(request, roleArn))
        {
            throw InvalidParameter($"IAM Role {roleArn} cannot be assumed by AWS Backup: no such role in account {request.Account}.");
        }
    }

    private static void CheckRoleArn(string role)
    {
        if (!RoleArnPattern().IsMatch(role))
        {
            throw InvalidParameter($"Invalid IAM role ARN {role}.");
        }
    }

    private static RestJsonResponse Page<T>(RestJsonRequest r, IReadOnlyList<T> items, Func<T, JsonObject> render, string listName)
    {
        var max = 1000;
        if (r.Query["maxResults"].ToString() is { Length: > 0 } maxText)
        {
            max = int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 1000
                ? parsed
                : throw InvalidParameter($"Invalid maxResults {maxText}: use 1 to 1000.");
        }

        var start = 0;
        if (r.Query["nextToken"].ToString() is { Length: > 0 } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw InvalidParameter("Invalid nextToken.");
            }
        }

        var json = new JsonObject { [listName] = new JsonArray([.. items.Skip(start).Take(max).Select(render)]) };
        if (start + max < items.Count)
        {
            json["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((start + max).ToString(CultureInfo.InvariantCulture)));
        }

        return RestJsonResponse.Ok(json);
    }

    private static DateTimeOffset? QueryTime(RestJsonRequest r, string name)
    {
        var text = r.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw InvalidParameter($"Invalid timestamp {text} for {name}.");
    }

    private static Dictionary<string, string> StringMap(JsonObject body, string name) =>
        body[name] is JsonObject map ? map.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal) : [];

    private static string? String(JsonObject body, string name)
    {
        try
        {
            return body[name]?.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            throw InvalidParameter($"{name} must be a string.");
        }
    }

    private static void Set(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    internal static JsonValue Epoch(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000.0);

    private static string NewVersionId() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(33)).Replace('+', '-').Replace('/', '_');

    // Backup's error shapes carry Code, Message, Type (and Context) besides the header.
    private static JsonObject ErrorDetails(string code, string message, string? context = null)
    {
        var details = new JsonObject { ["Code"] = code, ["Message"] = message, ["Type"] = "User" };
        if (context is not null)
        {
            details["Context"] = context;
        }

        return details;
    }

    private static AwsServiceException InvalidParameter(string message) =>
        new("InvalidParameterValueException", message) { Details = ErrorDetails("InvalidParameterValueException", message) };

    private static AwsServiceException MissingParameter(string name) =>
        new("MissingParameterValueException", $"Missing required parameter {name}.") { Details = ErrorDetails("MissingParameterValueException", $"Missing required parameter {name}.") };

    private static AwsServiceException InvalidRequest(string message) =>
        new("InvalidRequestException", message) { Details = ErrorDetails("InvalidRequestException", message) };

    private static AwsServiceException NotFound(string message, string context) =>
        new("ResourceNotFoundException", message) { Details = ErrorDetails("ResourceNotFoundException", message, context) };

    [GeneratedRegex("^[a-zA-Z0-9\\-_]{2,50}$")]
    private static partial Regex VaultNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9\\-_.]{1,50}$")]
    private static partial Regex PlanNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9\\-_.]{1,50}$")]
    private static partial Regex SelectionNamePattern();

    [GeneratedRegex("^arn:aws:backup:[a-z0-9-]+:[0-9]{12}:backup-vault:[a-zA-Z0-9\\-_]{2,50}$")]
    private static partial Regex VaultArnPattern();

    [GeneratedRegex("^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();
}
