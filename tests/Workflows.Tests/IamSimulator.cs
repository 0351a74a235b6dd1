using System.Diagnostics;
using System.Text.Json.Nodes;
using Rekey.Iam;
using Rekey.Sandbox.Core;

namespace Rekey.Workflows.Tests;

/// <summary>One resource of an IAM request: its ARN, its account, the condition keys IAM sees for it, and its own policy when it has one.</summary>
public sealed record IamCheckResource(string Arn, string Account, JsonObject Context, JsonObject? ResourcePolicy = null);

/// <summary>One IAM request to evaluate: a principal asking for one action on the resources of a call.</summary>
/// <remarks><c>OnAnyResource</c>: a read the table grants on "*" (a Describe that lists), evaluated on "*" when the call named nothing.</remarks>
public sealed record IamCheck(string Id, string Policy, string Principal, string Action, IReadOnlyList<IamCheckResource> Resources, bool OnAnyResource = false);

/// <summary>The evaluator's answer: Allowed, ImplicitlyDenied, ExplicitlyDenied, NoResource (no resource of a type the action is authorized on), or Error.</summary>
public sealed record IamVerdict(string Id, string Action, string Decision, string Detail);

/// <summary>
/// Runs @cloud-copilot/iam-simulate (pinned in tests/iam-simulator/package-lock.json, installed by .ci/run with
/// npm ci) through tests/iam-simulator/evaluate.mjs: an IAM evaluator nobody here wrote judges the generated policies.
/// </summary>
public static class IamSimulator
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "tests", "iam-simulator");

    public static async Task<IReadOnlyList<IamVerdict>> EvaluateAsync(IReadOnlyDictionary<string, JsonObject> policies, IReadOnlyList<IamCheck> checks)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "@cloud-copilot", "iam-simulate")))
        {
            throw new InvalidOperationException($"The IAM evaluator is not installed: run `npm ci` in {Folder} (.ci/run does).");
        }

        var input = new JsonObject
        {
            ["policies"] = new JsonObject(policies.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value.DeepClone()))),
            ["checks"] = new JsonArray(checks.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["policy"] = c.Policy,
                ["principal"] = c.Principal,
                ["action"] = c.Action,
                ["onAnyResource"] = c.OnAnyResource,
                ["account"] = c.Resources.FirstOrDefault()?.Account,
                ["resources"] = new JsonArray(c.Resources.Select(r => (JsonNode)new JsonObject
                {
                    ["arn"] = r.Arn,
                    ["account"] = r.Account,
                    ["context"] = r.Context.DeepClone(),
                    ["resourcePolicy"] = r.ResourcePolicy?.DeepClone(),
                }).ToArray()),
            }).ToArray()),
        };
        var file = Path.Combine(Path.GetTempPath(), $"rekey-iam-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, input.ToJsonString());
        try
        {
            var start = new ProcessStartInfo("node", [Path.Combine(Folder, "evaluate.mjs"), file])
            {
                WorkingDirectory = Folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(deadline.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"evaluate.mjs exited {process.ExitCode}: {await error}");
            }

            return JsonNode.Parse(await output)!["results"]!.AsArray()
                .Select(r => new IamVerdict(
                    r!["id"]!.GetValue<string>(),
                    r["action"]!.GetValue<string>(),
                    r["decision"]!.GetValue<string>(),
                    string.Join("; ", r["resources"]!.AsArray().Select(x => $"{x!["arn"]}: {x["decision"]} {x["detail"]}"))))
                .ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The IAM requests of recorded calls: for each action the table says the call needs, the resources IAM
    /// authorizes it on, as the sandbox recorded them. The call's own action is checked on what it names; an
    /// action AWS checks besides (Create*, tagging) on what the call or the service creates, Delete* on what it
    /// deletes, Modify*/Promote* on what it changes, iam:PassRole on the roles it hands over, any other service's
    /// action (kms:CreateGrant) on everything it names.
    /// </summary>
    public static List<IamCheck> ChecksOf(IEnumerable<CallRecord> calls, Func<CallRecord, (string Policy, AwsOperationPermission? Permission)> role, Func<string, JsonObject?> trustOfRole)
    {
        var checks = new List<IamCheck>();
        foreach (var call in calls)
        {
            var (policy, permission) = role(call);
            if (permission is null)
            {
                checks.Add(new IamCheck($"{call.RequestId} {call.Service}:{call.Operation}", policy, call.Principal!, $"unknown:{call.Operation}", []));
                continue;
            }

            var resources = call.Resources ?? [];
            var requestTags = call.RequestTags ?? new Dictionary<string, string>();
            foreach (var action in permission.Grants.Select(g => g.Action).Distinct(StringComparer.Ordinal))
            {
                var name = action[(action.IndexOf(':', StringComparison.Ordinal) + 1)..];
                var sameService = action.StartsWith(permission.Grants[0].Action[..permission.Grants[0].Action.IndexOf(':', StringComparison.Ordinal)] + ":", StringComparison.Ordinal);
                IEnumerable<CallResource> chosen = action == "iam:PassRole" ? resources.Where(r => r.Use == CallResourceUse.Passed)
                    : name == call.Operation ? resources.Where(r => r.Use is not (CallResourceUse.Passed or CallResourceUse.CreatedByService))
                    : !sameService ? resources.Where(r => r.Use != CallResourceUse.Passed)
                    : name.StartsWith("Create", StringComparison.Ordinal) || name.Contains("Tag", StringComparison.Ordinal) ? resources.Where(r => r.Use is CallResourceUse.Created or CallResourceUse.CreatedByService)
                    : name.StartsWith("Delete", StringComparison.Ordinal) ? resources.Where(r => r.Use == CallResourceUse.Deleted)
                    : name.StartsWith("Modify", StringComparison.Ordinal) || name.StartsWith("Promote", StringComparison.Ordinal) ? resources.Where(r => r.Use == CallResourceUse.Changed)
                    : resources.Where(r => r.Use != CallResourceUse.Passed);
                var list = chosen.Select(r => Resource(call, r, requestTags, action == "sts:AssumeRole" ? trustOfRole(r.Arn) : null)).ToList();
                if (!sameService && action.StartsWith("kms:", StringComparison.Ordinal))
                {
                    // A key used through another service: KMS sees the call come via that service.
                    foreach (var resource in list)
                    {
                        resource.Context["kms:ViaService"] = $"{call.Service}.{call.Region}.amazonaws.com";
                    }
                }

                // AWS checks iam:PassRole only when the request hands over a role; and a resource that does not exist
                // fails the call (NotFound) before there is anything to authorize it on.
                // An action AWS checks for what a call creates or deletes besides its own (a final snapshot, green's
                // deletion) applies only when the call creates or deletes such a thing.
                var dependent = name != call.Operation && sameService
                    && (name.StartsWith("Create", StringComparison.Ordinal) || name.StartsWith("Delete", StringComparison.Ordinal) || name.Contains("Tag", StringComparison.Ordinal));
                if (list.Count == 0 && (action == "iam:PassRole" || dependent || (call.ErrorCode?.Contains("NotFound", StringComparison.Ordinal) ?? false)))
                {
                    continue;
                }

                if (list.Count == 0)
                {
                    // A wildcard-only action (Describe*, kms:CreateKey) still needs its context: the request's tags.
                    list.Add(new IamCheckResource("*", call.Account, Context(call, new Dictionary<string, string>(), requestTags, created: false, null)));
                }

                var onAny = permission.ReadOnly && permission.Grants.Any(g => g.Action == action && g.Scope == ResourceScope.Any);
                checks.Add(new IamCheck($"{call.RequestId} {call.Service}:{call.Operation}", policy, call.Principal!, action, list, onAny));
            }
        }

        return checks;
    }

    private static IamCheckResource Resource(CallRecord call, CallResource resource, IReadOnlyDictionary<string, string> requestTags, JsonObject? resourcePolicy)
    {
        var parts = resource.Arn.Split(':');
        var account = parts.Length > 4 && parts[4].Length > 0 ? parts[4] : call.Account;
        var created = resource.Use is CallResourceUse.Created or CallResourceUse.CreatedByService;
        return new IamCheckResource(resource.Arn, account, Context(call, resource.Tags, requestTags, created, resource.Context), resourcePolicy);
    }

    /// <summary>
    /// What IAM puts in the request context: the principal, the resource's tags (aws:ResourceTag) for one that exists,
    /// the tags a resource is created with and the tags the request sends (aws:RequestTag, aws:TagKeys), and the
    /// resource's own keys (kms:ResourceAliases, iam:PassedToService).
    /// </summary>
    private static JsonObject Context(CallRecord call, IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> requestTags, bool created, IReadOnlyDictionary<string, IReadOnlyList<string>>? extra)
    {
        var context = new JsonObject { ["aws:PrincipalAccount"] = call.Account };
        if (call.Principal is { } principal && principal.Split(':') is { Length: 6 } p && p[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            context["aws:PrincipalArn"] = $"arn:{p[1]}:iam::{p[4]}:role/{p[5].Split('/')[1]}";
        }

        var sent = new Dictionary<string, string>(requestTags, StringComparer.Ordinal);
        if (created)
        {
            foreach (var (key, value) in tags)
            {
                sent[key] = value;
            }
        }
        else
        {
            foreach (var (key, value) in tags)
            {
                context[$"aws:ResourceTag/{key}"] = value;
            }
        }

        foreach (var (key, value) in sent)
        {
            context[$"aws:RequestTag/{key}"] = value;
        }

        if (sent.Count > 0)
        {
            context["aws:TagKeys"] = new JsonArray(sent.Keys.Select(k => (JsonNode)k).ToArray());
        }

        foreach (var (key, values) in extra ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            context[key] = new JsonArray(values.Select(v => (JsonNode)v).ToArray());
        }

        return context;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rekey.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Rekey.sln not found above the test's folder.");
    }
}
