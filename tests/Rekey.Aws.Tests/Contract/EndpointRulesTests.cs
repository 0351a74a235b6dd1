using System.Collections;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;
using Rekey.Aws.ApplicationAutoScaling;
using Rekey.Aws.Backup;
using Rekey.Aws.CloudWatch;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.Organizations;
using Rekey.Aws.RDS;
using Rekey.Aws.Runtime;
using Rekey.Aws.SNS;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Contract;

/// <summary>
/// The endpoints of every service written on AWSSDK.Core agree with AWS's own endpoint rules: botocore's
/// rule engine evaluates each service's endpoint-rule-set-1.json for every region botocore's partitions
/// list, FIPS on and off, dual-stack on and off, and our provider must give the same URL, signing region
/// and signing name, or refuse with the same message where the rules refuse.
/// </summary>
public sealed class EndpointRulesTests
{
    // Regions no partition lists yet, matched only by their partition's region pattern: a rule the
    // service writes for named regions (SNS's GovCloud FIPS hosts) must not reach them.
    private static readonly string[] UnlistedRegions = ["us-gov-north-1", "eu-south-9"];

    // Botocore's partitions, each made to lack FIPS, dual-stack or both (no partition lacks either today),
    // for the rules' refusals.
    private static readonly (string Name, bool SupportsFips, bool SupportsDualStack)[] Restrictions =
        [("without FIPS", false, true), ("without dual-stack", true, false), ("without FIPS or dual-stack", false, false)];

    private const string CustomEndpoint = "https://vpce-0123.example.com";

    private static readonly Dictionary<string, AwsServiceDescriptor> Descriptors = new()
    {
        ["rds"] = AmazonRDSConfig.Descriptor,
        ["backup"] = AmazonBackupConfig.Descriptor,
        ["rds-data"] = Rekey.Aws.RDSDataService.AmazonRDSDataServiceConfig.Descriptor,
        ["sns"] = AmazonSimpleNotificationServiceConfig.Descriptor,
        ["cloudwatch"] = AmazonCloudWatchConfig.Descriptor,
        ["iam"] = AmazonIdentityManagementServiceConfig.Descriptor,
        ["organizations"] = AmazonOrganizationsConfig.Descriptor,
        ["application-autoscaling"] = AmazonApplicationAutoScalingConfig.Descriptor,
    };

    public static TheoryData<string> Services() => new(Descriptors.Keys);

    [Theory]
    [MemberData(nameof(Services))]
    public void Endpoint_signing_region_and_signing_name_match_botocores_rules_for_every_partition_fips_and_dual_stack(string service)
    {
        var rules = BotocoreRules.Value;
        var cases = rules.Cases.Where(c => c.Service == service && c.Restriction == null && c.Region != null && c.Endpoint == null).ToList();
        Assert.Equal(rules.Partitions, cases.Select(c => c.Partition).Distinct().Order());
        Assert.Equal((rules.ListedRegionCount + UnlistedRegions.Length) * 4, cases.Count);
        AssertAgreement(new ServiceEndpointProvider(Descriptors[service]), cases);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_custom_endpoint_and_a_missing_region_are_accepted_or_refused_as_botocores_rules_say(string service)
    {
        var cases = BotocoreRules.Value.Cases.Where(c => c.Service == service && c.Restriction == null && (c.Region == null || c.Endpoint != null)).ToList();
        Assert.Equal(5, cases.Count);
        AssertAgreement(new ServiceEndpointProvider(Descriptors[service]), cases);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Fips_or_dual_stack_in_a_partition_without_it_is_refused_as_botocores_rules_refuse(string service)
    {
        var rules = BotocoreRules.Value;
        var mismatches = new List<string>();
        foreach (var (name, supportsFips, supportsDualStack) in Restrictions)
        {
            var cases = rules.Cases.Where(c => c.Service == service && c.Restriction == name).ToList();
            Assert.Equal(rules.Partitions.Count * 4, cases.Count);
            Assert.Contains(cases, c => c.Outcome.StartsWith("error: ", StringComparison.Ordinal));
            var provider = new ServiceEndpointProvider(Descriptors[service], region =>
            {
                var partition = Fn.Partition(region);
                return new Partition
                {
                    name = partition.name,
                    dnsSuffix = partition.dnsSuffix,
                    dualStackDnsSuffix = partition.dualStackDnsSuffix,
                    implicitGlobalRegion = partition.implicitGlobalRegion,
                    supportsFIPS = partition.supportsFIPS && supportsFips,
                    supportsDualStack = partition.supportsDualStack && supportsDualStack,
                };
            });
            mismatches.AddRange(Mismatches(provider, cases));
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Rules_comparison_notices_a_wrong_signing_region()
    {
        // A descriptor that signs IAM in aws for the caller's region must disagree with the rules.
        var wrong = AmazonIdentityManagementServiceConfig.Descriptor with { Scope = EndpointScope.Regional };
        var rules = Single("iam", "eu-west-1", fips: false, dualStack: false);
        Assert.Equal("https://iam.amazonaws.com signed for us-east-1 as iam", rules.Outcome);
        Assert.Equal("https://iam.eu-west-1.amazonaws.com signed for eu-west-1 as iam", Resolve(new ServiceEndpointProvider(wrong), rules));
    }

    [Fact]
    public void Rules_comparison_notices_a_fips_host_the_rules_do_not_name()
    {
        // Without its table of FIPS endpoints, RDS would send GovCloud FIPS requests to a host the rules do not name.
        var plain = AmazonRDSConfig.Descriptor with { FipsOnStandardHosts = [] };
        var rules = Single("rds", "us-gov-east-1", fips: true, dualStack: false);
        Assert.Equal("https://rds.us-gov-east-1.amazonaws.com signed for us-gov-east-1 as rds", rules.Outcome);
        Assert.Equal("https://rds-fips.us-gov-east-1.amazonaws.com signed for us-gov-east-1 as rds", Resolve(new ServiceEndpointProvider(plain), rules));
    }

    private static void AssertAgreement(ServiceEndpointProvider provider, List<RulesCase> cases)
    {
        var mismatches = Mismatches(provider, cases);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static List<string> Mismatches(ServiceEndpointProvider provider, List<RulesCase> cases) => cases
        .Select(c => (Case: c, Actual: Resolve(provider, c)))
        .Where(r => r.Actual != r.Case.Outcome)
        .Select(r => $"{r.Case.Restriction} {r.Case.Region ?? "(no region)"} fips={r.Case.Fips} dualstack={r.Case.DualStack} endpoint={r.Case.Endpoint ?? "(none)"}: rules say {r.Case.Outcome}, we say {r.Actual}")
        .ToList();

    private static RulesCase Single(string service, string region, bool fips, bool dualStack) =>
        BotocoreRules.Value.Cases.Single(c => c.Service == service && c.Region == region && c.Fips == fips && c.DualStack == dualStack && c.Endpoint == null && c.Restriction == null);

    // Rendered as the botocore side renders it; a custom endpoint's outcome is its URL alone, since a custom
    // endpoint of a global service is deliberately still signed for the partition's global region.
    private static string Resolve(ServiceEndpointProvider provider, RulesCase c)
    {
        try
        {
            var endpoint = provider.ResolveEndpoint(new EndpointParameters { ["Region"] = c.Region, ["UseFIPS"] = c.Fips, ["UseDualStack"] = c.DualStack, ["Endpoint"] = c.Endpoint });
            if (c.Endpoint != null)
            {
                return endpoint.URL;
            }

            var scheme = (PropertyBag)((IList)endpoint.Attributes["authSchemes"])[0]!;
            return $"{endpoint.URL} signed for {scheme["signingRegion"]} as {scheme["signingName"]}";
        }
        catch (AmazonClientException e)
        {
            return "error: " + e.Message;
        }
    }

    private sealed record RulesCase(string? Restriction, string Service, string? Region, string Partition, bool Fips, bool DualStack, string? Endpoint, string Outcome);

    private sealed record RulesAnswers(IReadOnlyList<string> Partitions, int ListedRegionCount, IReadOnlyList<RulesCase> Cases);

    private static readonly Lazy<RulesAnswers> BotocoreRules = new(EvaluateBotocoreRules);

    // One python3 run evaluates every case of every service, with botocore's partitions and with each
    // restriction of them (one region of each partition). A rule without an auth scheme (the regional
    // rules) is signed for the region itself with the model's signing name.
    private static RulesAnswers EvaluateBotocoreRules()
    {
        var script = $$"""
            import copy, json, botocore.session
            from botocore.endpoint_provider import EndpointProvider, RuleSetStandardLibrary
            loader = botocore.session.get_session().get_component('data_loader')
            data = loader.load_data('partitions')
            partitions = data['partitions']
            library = RuleSetStandardLibrary(data)
            listed = [r for p in partitions for r in p['regions'] if not r.endswith('-global')]
            regions = listed + {{JsonSerializer.Serialize(UnlistedRegions)}}
            cases = [(r, f, d, None) for r in regions for f in (False, True) for d in (False, True)]
            cases += [(None, False, False, None)] + [('us-east-1', f, d, '{{CustomEndpoint}}') for f in (False, True) for d in (False, True)]
            one_region_each = [next(r for r in p['regions'] if not r.endswith('-global')) for p in partitions]
            variants = [(None, data, cases)]
            for name, fips, dual in json.loads('{{JsonSerializer.Serialize(Restrictions.Select(r => new object[] { r.Name, r.SupportsFips, r.SupportsDualStack }))}}'):
                restricted = copy.deepcopy(data)
                for p in restricted['partitions']:
                    p['outputs']['supportsFIPS'] = p['outputs']['supportsFIPS'] and fips
                    p['outputs']['supportsDualStack'] = p['outputs']['supportsDualStack'] and dual
                variants.append((name, restricted, [(r, f, d, None) for r in one_region_each for f in (False, True) for d in (False, True)]))
            out = []
            for service in {{JsonSerializer.Serialize(Descriptors.Keys)}}:
                metadata = loader.load_service_model(service, 'service-2')['metadata']
                rule_set = loader.load_service_model(service, 'endpoint-rule-set-1')
                for restriction, partition_data, variant_cases in variants:
                    provider = EndpointProvider(rule_set, partition_data)
                    for region, fips, dual, endpoint in variant_cases:
                        partition = library.aws_partition(region)['name'] if region else ''
                        try:
                            e = provider.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dual, Endpoint=endpoint)
                            scheme = (e.properties.get('authSchemes') or [{}])[0]
                            name = scheme.get('signingName', metadata.get('signingName', metadata['endpointPrefix']))
                            outcome = e.url if endpoint else e.url + ' signed for ' + scheme.get('signingRegion', region) + ' as ' + name
                        except Exception as error:
                            outcome = 'error: ' + str(error)
                        out.append([restriction, service, region, partition, fips, dual, endpoint, outcome])
            print(json.dumps({'partitions': sorted(p['id'] for p in partitions), 'listed': len(listed), 'cases': out}))
            """;
        using var json = JsonDocument.Parse(Python.Run(script));
        var root = json.RootElement;
        return new RulesAnswers(
            root.GetProperty("partitions").EnumerateArray().Select(p => p.GetString()!).ToList(),
            root.GetProperty("listed").GetInt32(),
            root.GetProperty("cases").EnumerateArray()
                .Select(c => new RulesCase(c[0].GetString(), c[1].GetString()!, c[2].GetString(), c[3].GetString()!, c[4].GetBoolean(), c[5].GetBoolean(), c[6].GetString(), c[7].GetString()!))
                .ToList());
    }
}
