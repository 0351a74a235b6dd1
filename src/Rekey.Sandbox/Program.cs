using System.Globalization;
using Rekey.Sandbox;

// dotnet run --project src/Rekey.Sandbox -- --port 4566 --dns-port 4553 --clock-speed 60 --state-file sandbox.json
try
{
    var options = CommandLine.Parse(args) with { ConsoleLogging = true };
    await using var server = await SandboxServer.StartAsync(options);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"Rekey sandbox: AWS APIs on {server.BaseUrl} (health: {server.BaseUrl}_sandbox/health), DNS on {server.DnsEndPoint} (UDP and TCP), " +
        $"clock x{options.ClockSpeed}, data plane {options.DataPlane.ToString().ToLowerInvariant()}" +
        $"{(options.ChaosSeed is { } seed ? $", unruly mode with chaos seed {seed}" : string.Empty)}. Ctrl+C stops."));
    await server.WaitForShutdownAsync();
    return 0;
}
catch (ArgumentException error)
{
    await Console.Error.WriteLineAsync(error.Message);
    await Console.Error.WriteLineAsync(CommandLine.Usage);
    return 2;
}
