namespace Rekey.Configuration;

/// <summary>One argument: how it is written and where its value goes in the settings.</summary>
public static partial class SettingsReader
{
    /// <summary>An argument's definition and how its parsed value reaches the settings.</summary>
    /// <param name="Definition">Its name, help line, flag or not, environment variables.</param>
    /// <param name="Apply">The settings with the argument's value in place; a value that does not parse is a problem and leaves them unchanged.</param>
    private sealed record Argument(ArgumentDefinition Definition, Func<GivenValues, RekeySettings, RekeySettings> Apply)
    {
        /// <summary>The same argument, taking any text (a path, a free name) rather than ASCII only.</summary>
        public Argument TakingAnyText() => this with { Definition = Definition with { AnyText = true } };
    }

    /// <summary>An argument with a value of reference type: <paramref name="parse"/> checks it, <paramref name="set"/> puts it in the settings.</summary>
    private static Argument Value<T>(
        string name, string description, Func<string, (T? Value, string? Problem)> parse, Func<RekeySettings, T, RekeySettings> set, params string[] environmentVariables)
        where T : class =>
        new(new(name, description, false, environmentVariables), (given, settings) => given.Parsed(name, parse) is { } value ? set(settings, value) : settings);

    /// <summary>An argument with a value of value type: <paramref name="parse"/> checks it, <paramref name="set"/> puts it in the settings.</summary>
    private static Argument Value<T>(
        string name, string description, Func<string, (T? Value, string? Problem)> parse, Func<RekeySettings, T, RekeySettings> set, params string[] environmentVariables)
        where T : struct =>
        new(new(name, description, false, environmentVariables), (given, settings) => given.Parsed(name, parse) is { } value ? set(settings, value) : settings);

    /// <summary>A flag: given bare or as true it is on, absent or false it is off.</summary>
    private static Argument Flag(string name, string description, Func<RekeySettings, bool, RekeySettings> set, params string[] environmentVariables) =>
        new(new(name, description, true, environmentVariables), (given, settings) => set(settings, given.Flag(name)));
}
