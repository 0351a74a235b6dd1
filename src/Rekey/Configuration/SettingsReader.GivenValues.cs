namespace Rekey.Configuration;

/// <summary>The values given on the command line or in the environment, before they are parsed.</summary>
public static partial class SettingsReader
{
    /// <summary>
    /// Each argument's raw value and where it came from (<c>--name</c> or an environment variable), and every problem
    /// found so far, so that all of them are reported at once.
    /// </summary>
    private sealed class GivenValues
    {
        private readonly Dictionary<string, (string? Value, string Origin)> values = new(StringComparer.OrdinalIgnoreCase);

        public List<string> Problems { get; } = [];

        /// <summary>The command line's arguments, each known, given once (or with one value) and with a value unless a flag.</summary>
        public void TakeArguments(IReadOnlyDictionary<string, IReadOnlyList<string?>> arguments, IReadOnlySet<string> hostArguments)
        {
            foreach (var (name, given) in arguments)
            {
                if (hostArguments.Contains(name))
                {
                    continue;
                }

                var definition = Find(name);
                if (definition is null)
                {
                    Problems.Add(UnknownArgument(name));
                    continue;
                }

                var distinct = given.Distinct(StringComparer.Ordinal).ToList();
                if (distinct.Count > 1)
                {
                    var all = string.Join(", ", distinct.Select(v => $"'{v}'"));
                    Problems.Add($"--{definition.Name} is given {distinct.Count} times with different values ({all}); give it once.");
                    continue;
                }

                var value = distinct.Count == 0 ? null : distinct[0];
                if (!definition.IsFlag && string.IsNullOrWhiteSpace(value))
                {
                    Problems.Add($"--{definition.Name} needs a value: --{definition.Name}=VALUE ({definition.Description})");
                    continue;
                }

                values[definition.Name] = (value, $"--{definition.Name}");
            }
        }

        /// <summary>For each argument not on the command line, the first of its environment variables that is set.</summary>
        public void TakeEnvironment(Func<string, string?> environment)
        {
            foreach (var definition in Definitions.Where(d => !values.ContainsKey(d.Name)))
            {
                foreach (var variable in definition.EnvironmentVariables)
                {
                    var value = environment(variable);
                    if (!string.IsNullOrWhiteSpace(value))
                    {
                        values[definition.Name] = (value.Trim(), variable);
                        break;
                    }
                }
            }
        }

        /// <summary>Drops, as a problem, every value outside printable ASCII where the argument does not take any text.</summary>
        public void RejectNonAscii()
        {
            foreach (var (name, (value, origin)) in values.ToList())
            {
                if (value is not null && !Find(name)!.AnyText && NonAscii(value) is { } problem)
                {
                    Problems.Add($"{origin}: {problem}");
                    values.Remove(name);
                }
            }
        }

        /// <summary>The argument's parsed value, or the default (null) when it is absent or does not parse.</summary>
        public T Parsed<T>(string name, Func<string, (T Value, string? Problem)> parse)
        {
            if (!values.TryGetValue(name, out var entry) || entry.Value is null)
            {
                return default!;
            }

            var (value, problem) = parse(entry.Value);
            if (problem is not null)
            {
                Problems.Add($"{entry.Origin}: {problem}");
            }

            return value;
        }

        /// <summary>A flag: true when given bare or as true, false when absent or false; any other value is a problem.</summary>
        public bool Flag(string name)
        {
            if (!values.TryGetValue(name, out var entry))
            {
                return false;
            }

            if (string.IsNullOrEmpty(entry.Value) || bool.TryParse(entry.Value, out var flag) && flag)
            {
                return true;
            }

            if (bool.TryParse(entry.Value, out _))
            {
                return false;
            }

            Problems.Add($"{entry.Origin}: '{entry.Value}' is not true or false; give the flag bare (--{name}) or as --{name}=false.");
            return false;
        }
    }
}
