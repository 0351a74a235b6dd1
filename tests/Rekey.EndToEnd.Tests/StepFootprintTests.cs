using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rekey.Aws;
using Rekey.Aws.ApplicationAutoScaling;
using Rekey.Aws.Backup;
using Rekey.Aws.CloudWatch;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.Organizations;
using Rekey.Aws.RDS;
using Rekey.Aws.Runtime;
using Rekey.Aws.SNS;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Safety;

namespace Rekey.EndToEnd.Tests;

/// <summary>What a step may touch is in plain sight: every AWS call a cutover makes is one its step declares.</summary>
public sealed class StepFootprintTests
{
    [Theory]
    [ChaosSeeds]
    public async Task Every_read_a_restore_swap_cutover_makes_is_declared_by_the_step_that_made_it(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var guards = new GuardsOfTheRun(sandbox.Aws);

        var result = await sandbox.CutoverAsync("e2e-footprint-rs", guards, "--strategy=restore-swap");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertEveryReadIsDeclared(guards, "Fence", "Restore", "CreateInstances", "Finalize", "Verify");
    }

    [Theory]
    [ChaosSeeds]
    public async Task Every_read_a_blue_green_cutover_makes_is_declared_by_the_step_that_made_it(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var guards = new GuardsOfTheRun(sandbox.Aws);

        var result = await sandbox.CutoverAsync("e2e-footprint-bg", guards, "--strategy=blue-green", "--sequences-advanced");

        Assert.Contains(result.ExitCode, new[] { 0, ExitCodes.VerificationFailed });
        AssertEveryReadIsDeclared(guards, "CreateBlueGreen", "WaitForGreen", "VerifyGreen", "Switchover", "VerifyBlueGreen");
    }

    private static void AssertEveryReadIsDeclared(GuardsOfTheRun guards, params string[] stepsThatRan)
    {
        var reads = guards.Gates.OfType<ChangeGuard>().SelectMany(g => g.Reads).Distinct().ToList();
        var undeclared = reads
            .Where(r => !(StepCatalog.ReadsOf(r.Step)?.Contains(r.Operation) ?? false))
            .Select(r => $"{r.Step} read {r.Operation}, which it does not declare")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(undeclared.Count == 0, string.Join(Environment.NewLine, undeclared));

        // The record is not empty by accident: each step of the strategy was seen reading AWS.
        Assert.All(stepsThatRan, step => Assert.Contains(reads, r => r.Step == step));
    }

    /// <summary>The sandbox's clients, keeping every gate the host's run puts in front of them, so the test can read what each step called.</summary>
    private sealed class GuardsOfTheRun(IAwsClientFactory inner, List<IChangeGate>? gates = null) : IAwsClientFactory
    {
        private readonly List<IChangeGate> _gates = gates ?? [];

        public IReadOnlyList<IChangeGate> Gates
        {
            get
            {
                lock (_gates)
                {
                    return [.. _gates];
                }
            }
        }

        public IAmazonRDS CreateRds(RegionEndpoint region) => inner.CreateRds(region);

        public IAmazonBackup CreateBackup(RegionEndpoint region) => inner.CreateBackup(region);

        public Rekey.Aws.RDSDataService.IAmazonRDSDataService CreateRdsData(RegionEndpoint region) => inner.CreateRdsData(region);

        public IAmazonSimpleNotificationService CreateSns(RegionEndpoint region) => inner.CreateSns(region);

        public IAmazonCloudWatch CreateCloudWatch(RegionEndpoint region) => inner.CreateCloudWatch(region);

        public IAmazonApplicationAutoScaling CreateApplicationAutoScaling(RegionEndpoint region) => inner.CreateApplicationAutoScaling(region);

        public IAmazonKeyManagementService CreateKms(RegionEndpoint region) => inner.CreateKms(region);

        public IAmazonSecurityTokenService CreateSts(RegionEndpoint region) => inner.CreateSts(region);

        public IAmazonOrganizations CreateOrganizations(RegionEndpoint region) => inner.CreateOrganizations(region);

        public IAmazonIdentityManagementService CreateIam(RegionEndpoint region) => inner.CreateIam(region);

        public IAwsClientFactory WithCredentials(AWSCredentials credentials) => new GuardsOfTheRun(inner.WithCredentials(credentials), _gates);

        public IAwsClientFactory WithChangeGate(IChangeGate gate)
        {
            lock (_gates)
            {
                _gates.Add(gate);
            }

            return inner.WithChangeGate(gate);
        }

        public IAwsClientFactory WithCallObserver(IAwsCallObserver observer) => new GuardsOfTheRun(inner.WithCallObserver(observer), _gates);

        public Task<(IAwsClientFactory Factory, AssumeRoleResponse Response)> AssumeRoleAsync(
            RegionEndpoint region, string roleArn, string roleSessionName, int? durationSeconds = null, CancellationToken cancellationToken = default) =>
            inner.AssumeRoleAsync(region, roleArn, roleSessionName, durationSeconds, cancellationToken);
    }
}
