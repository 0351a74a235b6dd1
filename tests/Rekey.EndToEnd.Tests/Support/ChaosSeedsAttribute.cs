using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Xunit.Sdk;

namespace Rekey.EndToEnd.Tests.Support;

/// <summary>
/// The chaos seeds the end-to-end tests run the sandbox's unruly mode under: REKEY_CHAOS_SEEDS (comma separated)
/// or <see cref="Default"/>. A test marked <c>[Theory, ChaosSeeds(Every = true)]</c> runs once per seed; any other
/// <c>[Theory, ChaosSeeds]</c> runs under one of them, picked from its name, so the suite as a whole meets every seed
/// without running every test three times. The seed is the test's argument: a failing test's name prints it
/// (<c>...(chaosSeed: 23)</c>), and REKEY_CHAOS_SEEDS=23 reruns it under the same seed.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ChaosSeedsAttribute : DataAttribute
{
    public static readonly IReadOnlyList<long> Default = [11, 23, 47];

    /// <summary>Run under every seed, not only under the one the test's name picks.</summary>
    public bool Every { get; set; }

    public static IReadOnlyList<long> Seeds
    {
        get
        {
            var text = Environment.GetEnvironmentVariable("REKEY_CHAOS_SEEDS");
            if (string.IsNullOrWhiteSpace(text))
            {
                return Default;
            }

            return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
                    ? seed
                    : throw new InvalidOperationException($"REKEY_CHAOS_SEEDS holds '{s}', not a whole number; give seeds like 11,23,47."))];
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var seeds = Seeds;
        if (Every || seeds.Count == 1)
        {
            return seeds.Select(s => new object[] { s });
        }

        // Stable across runs and machines (string.GetHashCode is not).
        var name = $"{testMethod.DeclaringType?.FullName}.{testMethod.Name}";
        var index = (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0) % (uint)seeds.Count);
        return [[seeds[index]]];
    }
}
