using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Rekey.Sandbox.DataPlane;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests.DataPlane;

/// <summary>
/// A sandbox whose aurora-postgresql clusters are real PostgreSQL servers (in a temp folder the
/// sandbox removes when it stops, on ports picked free). Clients connect the way an application
/// does: the name through the sandbox's DNS, then TCP to the address it answered.
/// </summary>
public class PostgresSandboxFixture : SandboxFixture
{
    protected override SandboxOptions Options => SandboxOptions.ForTests(ClockSpeed) with { DataPlane = DataPlaneMode.Postgres };

    /// <summary>Sandbox seconds per real second; at 1 only <see cref="SandboxFixture.Advance"/> moves AWS time on noticeably.</summary>
    protected virtual double ClockSpeed => 1;

    public PostgresDataPlane DataPlane => Sandbox.Get<PostgresDataPlane>();

    /// <summary>Creates a cluster on a free port with one instance and moves the clock until both are available.</summary>
    public async Task<int> AvailablePostgresClusterAsync(string identifier, params (string Name, string Value)[] extra)
    {
        var port = FreePort();
        await Query.CreateClusterAsync(identifier, extra: [("Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("DatabaseName", "app"), .. extra]);
        Advance(Sandbox.Runtime.Durations.ClusterCreate);
        await WaitUntilAvailableAsync(identifier);
        await Query.CreateInstanceAsync(identifier, identifier + "-1");
        Advance(Sandbox.Runtime.Durations.InstanceCreate);
        return port;
    }

    /// <summary>An available aurora-postgresql cluster on the real engine whose parameter group allows Blue/Green; returns its port.</summary>
    public async Task<int> EligibleForBlueGreenAsync(string identifier)
    {
        await Query.CallAsync(
            "CreateDBClusterParameterGroup",
            [new("DBClusterParameterGroupName", identifier + "-params"), new("DBParameterGroupFamily", "aurora-postgresql16"), new("Description", "blue/green")]);
        await Query.CallAsync(
            "ModifyDBClusterParameterGroup",
            [
                new("DBClusterParameterGroupName", identifier + "-params"), new("Parameters.Parameter.1.ParameterName", "rds.logical_replication"),
                new("Parameters.Parameter.1.ParameterValue", "1"), new("Parameters.Parameter.1.ApplyMethod", "pending-reboot"),
            ]);
        return await AvailablePostgresClusterAsync(identifier, ("DBClusterParameterGroupName", identifier + "-params"));
    }

    /// <summary>Waits (bounded, in real time: initdb or a WAL replay runs outside the sandbox clock) until RDS shows the cluster available.</summary>
    public async Task WaitUntilAvailableAsync(string identifier)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (Read(rds => rds.FindCluster("111111111111", "us-east-1", identifier)?.Status) != "available")
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                var servers = string.Join("; ", DataPlane.Servers().Select(s => $"{s.ClusterIdentifier} {s.State} {s.Error}"));
                throw new TimeoutException($"{identifier} was not available within two minutes; servers: {servers}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Creates the deployment, moves the clock through provisioning and waits for green's copy; returns the deployment's identifier.</summary>
    public async Task<string> GreenReadyAsync(string blue)
    {
        await Query.CallAsync("CreateBlueGreenDeployment", [new("BlueGreenDeploymentName", blue), new("Source", BlueGreenTestData.Arn(blue))]);
        Advance(this.Provisioning(1));
        var deployment = Read(rds => rds.BlueGreenDeployments.Single(d => d.Name == blue).Identifier);
        var deadline = Stopwatch.StartNew();
        while (DeploymentStatus(deployment) != BlueGreenStatus.Available)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"the deployment of {blue} was not available within two minutes");
            Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }

        return deployment;
    }

    /// <summary>
    /// A real-engine deployment of <paramref name="blue"/> (a table <c>events</c>) whose green has stopped applying: its
    /// subscription is disabled, then blue commits 100 rows that never reach green.
    /// </summary>
    public async Task<GreenStoppedApplying> GreenStoppedApplyingAsync(string blue)
    {
        var port = await EligibleForBlueGreenAsync(blue);
        var blueName = ClusterEndpoint(blue);
        await using (var connection = await ConnectAsync(blueName, port))
        {
            await ScalarAsync(connection, "CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL)");
        }

        var deployment = await GreenReadyAsync(blue);
        var greenId = Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == deployment).TargetClusterResourceId);
        var green = (await DataPlane.ServerAsync(greenId))!;
        var subscription = (string)(await green.ScalarAsync("SELECT subname FROM pg_subscription", "app"))!;
        await green.ExecuteAsync($"ALTER SUBSCRIPTION {subscription} DISABLE", "app");
        await using (var connection = await ConnectAsync(blueName, port))
        {
            await ScalarAsync(connection, "INSERT INTO events (payload) SELECT 'unreplicated ' || n FROM generate_series(1, 100) n");
        }

        return new GreenStoppedApplying(deployment, blueName, port, green, subscription);
    }

    /// <summary>Moves the clock a second at a time (the servers work in real time) until the switchover has ended; returns the deployment's status.</summary>
    public async Task<string> SwitchoverEndsAsync(string deployment)
    {
        var deadline = Stopwatch.StartNew();
        while (DeploymentStatus(deployment) == BlueGreenStatus.SwitchoverInProgress)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "the switchover did not end within a minute");
            Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        return DeploymentStatus(deployment);
    }

    public string DeploymentStatus(string deployment) => Read(rds => rds.BlueGreenDeployments.Single(d => d.Identifier == deployment).Status);

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public string ClusterEndpoint(string identifier) => Rekey.Sandbox.RDS.RdsState.ClusterEndpointName("111111111111", "us-east-1", identifier);

    /// <summary>Opens a connection to a name as a driver does: asks the sandbox's DNS, then connects to the address.</summary>
    public async Task<NpgsqlConnection> ConnectAsync(string name, int port)
    {
        var answer = await ResolveAsync(name);
        if (!answer.Exists)
        {
            throw new InvalidOperationException($"{name} does not resolve ({answer.Code}).");
        }

        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = answer.Addresses[0].ToString(),
            Port = port,
            Username = "postgres",
            Password = "sandbox-password",
            Database = "app",
            Pooling = false,
            Timeout = 10,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (NpgsqlException error)
        {
            await connection.DisposeAsync();
            var servers = string.Join("; ", DataPlane.Servers().Select(s => $"{s.ClusterIdentifier} {s.Address}:{s.Port} {s.State} {s.Error}"));
            throw new InvalidOperationException($"{name} ({answer.Addresses[0]}:{port}) refused the connection; servers: {servers}", error);
        }

        return connection;
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}

/// <summary>A deployment whose green does not apply blue's writes (<see cref="PostgresSandboxFixture.GreenStoppedApplyingAsync"/>).</summary>
public sealed record GreenStoppedApplying(string Deployment, string BlueName, int Port, PostgresServer Green, string Subscription);
