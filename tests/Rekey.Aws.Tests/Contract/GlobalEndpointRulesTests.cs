using System.Collections;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.Organizations;
using Rekey.Aws.Runtime;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Contract;

/// <summary>
/// The global endpoints of IAM and Organizations agree with AWS's own endpoint rules: botocore's rule
/// engine evaluates endpoint-rule-set-1.json for every partition, FIPS and dual-stack combination, and
/// our provider must give the same URL and signing region (or fail where the rules fail).
/// </summary>
public sealed class GlobalEndpointRulesTests
{
    // One region or two of each partition, including regions that are not the global signing region.
    private static readonly string[] Regions =
    [
        "us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1",
        "us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1",
    ];

    public static TheoryData<string> Services() => new() { "iam", "organizations" };

    [Theory]
    [MemberData(nameof(Services))]
    public void Endpoint_and_signing_region_match_botocores_rules_for_every_partition_fips_and_dual_stack(string service)
    {
        var provider = new ServiceEndpointProvider(service == "iam" ? AmazonIdentityManagementServiceConfig.Descriptor : AmazonOrganizationsConfig.Descriptor);
        var mismatches = new List<string>();
        var cases = BotocoreResolutions(service);
        Assert.Equal(Regions.Length * 4, cases.Count);
        foreach (var expected in cases)
        {
            var actual = Resolve(provider, expected.Region, expected.Fips, expected.DualStack);
            if (actual != expected.Outcome)
            {
                mismatches.Add($"{expected.Region} fips={expected.Fips} dualstack={expected.DualStack}: rules say {expected.Outcome}, we say {actual}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Rules_comparison_notices_a_wrong_signing_region()
    {
        // A descriptor that signs IAM in aws for the caller's region must disagree with the rules.
        var wrong = AmazonIdentityManagementServiceConfig.Descriptor with { Scope = EndpointScope.Regional };
        var outcome = Resolve(new ServiceEndpointProvider(wrong), "eu-west-1", fips: false, dualStack: false);
        var rules = BotocoreResolutions("iam").Single(c => c.Region == "eu-west-1" && !c.Fips && !c.DualStack).Outcome;
        Assert.Equal("https://iam.amazonaws.com signed for us-east-1", rules);
        Assert.NotEqual(rules, outcome);
    }

    private static string Resolve(ServiceEndpointProvider provider, string region, bool fips, bool dualStack)
    {
        try
        {
            var endpoint = provider.ResolveEndpoint(new EndpointParameters { ["Region"] = region, ["UseFIPS"] = fips, ["UseDualStack"] = dualStack, ["Endpoint"] = null });
            var scheme = (PropertyBag)((IList)endpoint.Attributes["authSchemes"])[0]!;
            return $"{endpoint.URL} signed for {scheme["signingRegion"]}";
        }
        catch (AmazonClientException)
        {
            return "an error";
        }
    }

    private sealed record RulesCase(string Region, bool Fips, bool DualStack, string Outcome);

    private static readonly Dictionary<string, List<RulesCase>> Cache = [];

    private static List<RulesCase> BotocoreResolutions(string service)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(service, out var cached))
            {
                return cached;
            }

            // A rule without an auth scheme (a regional fallback) is signed for the region itself.
            var script = new StringBuilder()
                .AppendLine("import json, botocore.session")
                .AppendLine("from botocore.endpoint_provider import EndpointProvider")
                .AppendLine("loader = botocore.session.get_session().get_component('data_loader')")
                .AppendLine($"provider = EndpointProvider(loader.load_service_model('{service}', 'endpoint-rule-set-1'), loader.load_data('partitions'))")
                .AppendLine("out = []")
                .AppendLine($"for region in {JsonSerializer.Serialize(Regions)}:")
                .AppendLine("    for fips in (False, True):")
                .AppendLine("        for dual in (False, True):")
                .AppendLine("            try:")
                .AppendLine("                e = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dual)")
                .AppendLine("                schemes = e.properties.get('authSchemes') or [{}]")
                .AppendLine("                outcome = e.url + ' signed for ' + schemes[0].get('signingRegion', region)")
                .AppendLine("            except Exception:")
                .AppendLine("                outcome = 'an error'")
                .AppendLine("            out.append([region, fips, dual, outcome])")
                .AppendLine("print(json.dumps(out))")
                .ToString();
            using var json = JsonDocument.Parse(Python.Run(script));
            var cases = json.RootElement.EnumerateArray()
                .Select(c => new RulesCase(c[0].GetString()!, c[1].GetBoolean(), c[2].GetBoolean(), c[3].GetString()!))
                .ToList();
            Cache[service] = cases;
            return cases;
        }
    }
}
