using System.Text.Json.Nodes;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Backup;

// Tags on vaults, plans and recovery points.
public sealed partial class BackupService
{
    private void RegisterTagOperations()
    {
        Register("POST", "/tags/{resourceArn}", "TagResource", mutating: true, TagResource);
        Register("GET", "/tags/{resourceArn}/", "ListTags", mutating: false, ListTags);
    }

    private RestJsonResponse TagResource(AwsRequestContext request, RestJsonRequest r)
    {
        var tags = TagsOf(request, r.PathValue("resourceArn"));
        var added = r.Body["Tags"] as JsonObject ?? throw MissingParameter("Tags");
        foreach (var (key, value) in added)
        {
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw InvalidParameter("Tag keys beginning with aws: are reserved for AWS use.");
            }

            tags[key] = value?.GetValue<string>() ?? string.Empty;
        }

        if (tags.Count > 50)
        {
            const string TooManyTags = "A resource can have at most 50 tags.";
            throw new AwsServiceException("LimitExceededException", TooManyTags) { Details = ErrorDetails("LimitExceededException", TooManyTags) };
        }

        return RestJsonResponse.Ok(null);
    }

    private RestJsonResponse ListTags(AwsRequestContext request, RestJsonRequest r)
    {
        var tags = TagsOf(request, r.PathValue("resourceArn"));
        var map = new JsonObject();
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            map[key] = value;
        }

        return RestJsonResponse.Ok(new JsonObject { ["Tags"] = map });
    }

    private Dictionary<string, string> TagsOf(AwsRequestContext request, string arn)
    {
        var parts = arn.Split(':');
        if (parts.Length < 7 || parts[4] != request.Account || parts[3] != request.Region)
        {
            throw NotFound($"Resource {arn} was not found.", arn);
        }

        return parts[2] switch
        {
            "backup" when parts[5] == "backup-vault" => _state.FindVault(request.Account, request.Region, parts[6])?.Tags,
            "backup" when parts[5] == "backup-plan" => _state.Plans.FirstOrDefault(p => p.Arn == arn)?.Tags,
            "rds" => _state.RecoveryPoints.FirstOrDefault(p => p.Arn == arn)?.Tags,
            _ => null,
        } ?? throw NotFound($"Resource {arn} was not found.", arn);
    }
}
