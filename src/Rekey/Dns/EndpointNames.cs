using Rekey.Waiting;

namespace Rekey.Dns;

/// <summary>
/// Waits until endpoint names resolve. AWS warns that DNS changes take time, and each name takes its own: an
/// instance name can appear well after its cluster's. A name is never judged on one answer: every name is asked
/// again until it resolves or the deadline passes, saying which ones are still missing.
/// </summary>
public static class EndpointNames
{
    /// <summary>
    /// Asks for each of <paramref name="names"/> until all resolve or <paramref name="deadline"/> passes, and returns the
    /// last answer for each: those that never resolved are <see cref="EndpointResolution.Exists"/> false.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, EndpointResolution>> WaitUntilResolvedAsync(
        IEndpointResolver dns, Waiter waiter, IReadOnlyCollection<string> names, TimeSpan deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(waiter);
        ArgumentNullException.ThrowIfNull(names);
        var seen = new Dictionary<string, EndpointResolution>(StringComparer.OrdinalIgnoreCase);
        var distinct = names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (distinct.Count == 0)
        {
            return seen;
        }

        try
        {
            await waiter.UntilAsync(
                distinct.Count == 1 ? $"{distinct[0]} to resolve" : $"{distinct.Count} endpoint names to resolve",
                deadline,
                async token =>
                {
                    foreach (var name in distinct.Where(n => !(seen.TryGetValue(n, out var r) && r.Exists)))
                    {
                        seen[name] = await dns.ResolveAsync(name, token).ConfigureAwait(false);
                    }

                    var missing = distinct.Where(n => !seen[n].Exists).ToList();
                    return missing.Count == 0
                        ? Probe<bool>.Ready(true, "every name resolves")
                        : Probe<bool>.NotYet(false, $"{missing.Count} of {distinct.Count} do not resolve yet ({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", ..." : string.Empty)})");
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (WaitTimeoutException)
        {
            // The caller reports each name still missing, with the time it waited.
        }

        foreach (var name in distinct.Where(n => !seen.ContainsKey(n)))
        {
            seen[name] = EndpointResolution.Missing(name);
        }

        return seen;
    }
}
