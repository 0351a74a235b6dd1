using Rekey.EndToEnd.Tests.Support;
using Rekey.Sandbox.RDS;

namespace Rekey.EndToEnd.Tests;

/// <summary>Blue/Green's sequences through the RDS Data API, as the change guard and the steps see them on the model data plane.</summary>
public sealed class BlueGreenDataApiTests
{
    [Fact]
    public async Task With_the_Data_API_on_and_a_secret_Switchover_and_VerifyBlueGreen_call_ExecuteStatement_through_the_guard_and_fall_back_to_the_operators_statements_when_it_cannot_run_SQL()
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed: null);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        sandbox.Server.Runtime.Change(() => sandbox.Server.Get<RdsState>().FindCluster(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id)!.HttpEndpointEnabled = true);
        var secret = $"arn:aws:secretsmanager:{LedgerCluster.Region}:{LedgerCluster.Account}:secret:rekey-ledger-AbCdEf";

        var cutover = await sandbox.CutoverAsync("e2e-bg-data-api", null, ["--strategy=blue-green", $"--database-secret-arn={secret}"]);

        // The model data plane has no rows: the sandbox's Data API refuses, and the operator's path stands (exit 7, the query).
        Assert.True(cutover.ExitCode == Rekey.Runtime.ExitCodes.VerificationFailed, cutover.ToString());
        Assert.Contains(Rekey.BlueGreen.VerifyBlueGreen.SequenceQuery, cutover.Output, StringComparison.Ordinal);
        // One call each, each refused: blue's values before the switchover, the old blue's after it, and VerifyBlueGreen's read of them.
        Assert.Equal(3, cutover.Calls.Count(c => c.Service == "rds-data" && c.Operation == "ExecuteStatement"));
        Assert.DoesNotContain("does not declare", cutover.Output, StringComparison.Ordinal);
    }
}
