using Amazon.SecurityToken.Model;
using Rekey.Aws.Runtime;

namespace Rekey.Runtime;

/// <summary>AWS's time, read from the Date of an AWS answer: T1 and the outage are measured on it, never on the runner's clock.</summary>
public static class AwsClock
{
    /// <summary>Asks STS who we are (a call every principal may make) and returns the answer's server time.</summary>
    public static async Task<DateTimeOffset> NowAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var response = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        return response.RequireServerDate();
    }
}
