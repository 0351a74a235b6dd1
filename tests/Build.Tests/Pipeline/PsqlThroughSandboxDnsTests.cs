using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.SandboxRehearsal;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>
/// What docs/rehearse-your-application.md tells an operator to do, done as it says: <c>./build.sh --target=Sandbox
/// --sample --data-plane=postgres</c> with its DNS on port 53 of a loopback address of its own, then psql, resolving
/// the sample cluster's endpoint through the system resolver (glibc, a resolv.conf naming that address, bound over
/// /etc/resolv.conf in a mount namespace of psql's own), asks the cluster's real PostgreSQL server a question.
/// Root, as on CI: port 53 and the mount need it.
/// </summary>
[Collection(Host.BuildScriptCollection.Name)]
public sealed class PsqlThroughSandboxDnsTests : IDisposable
{
    private readonly string _resolvConf = Path.Combine(Path.GetTempPath(), $"rekey-resolv-{Guid.NewGuid():N}.conf");

    public void Dispose() => File.Delete(_resolvConf);

    [Fact]
    public async Task Psql_connects_to_the_sample_cluster_endpoint_resolved_through_the_Sandbox_targets_DNS_on_port_53_and_SIGTERM_stops_it_all()
    {
        Assert.True(Environment.IsPrivilegedProcess, "This test runs as root, as CI does: the sandbox's DNS takes port 53 and psql gets a resolv.conf of its own through a mount namespace.");
        var dnsAddress = FreeLoopbackAddressOnPort53();
        using var sandbox = await StartSandboxAsync(dnsAddress);
        var cluster = await DescribeAsync(sandbox.BaseUrl, SampleAccount.Clusters[0].Id);
        await File.WriteAllTextAsync(_resolvConf, $"nameserver {dnsAddress}\noptions timeout:1 attempts:2\n");

        // No hostaddr: libpq must get the address from getaddrinfo, so from the sandbox's DNS; no other resolver knows the name.
        var connection = $"host={cluster.Endpoint} port={cluster.Port} user={cluster.MasterUsername} dbname={cluster.DatabaseName} connect_timeout=5";
        using var psqlDeadline = CancellationTokenSource.CreateLinkedTokenSource(sandbox.Run.Deadline.Token);
        psqlDeadline.CancelAfter(TimeSpan.FromMinutes(3));
        var answer = await PsqlUntilItAnswersAsync(connection, psqlDeadline.Token);
        var lines = answer.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("1", lines[0]);
        var serverAddress = IPAddress.Parse(lines[1]);
        Assert.True(serverAddress.GetAddressBytes()[0] == 127 && !serverAddress.Equals(IPAddress.Loopback), $"the cluster's own loopback address, not {serverAddress}");

        await sandbox.StopAsync();

        // Stopped cleanly: the cluster's PostgreSQL server went with the sandbox.
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(serverAddress, cluster.Port ?? 5432, sandbox.Run.Deadline.Token).AsTask());
    }

    /// <summary>
    /// A 127.0.0.x address with port 53 free for UDP and TCP (never 127.0.0.1 nor systemd-resolved's 127.0.0.53). Taken from
    /// the process id, so test runs at once on one machine try different ones first.
    /// </summary>
    private static IPAddress FreeLoopbackAddressOnPort53()
    {
        for (var i = 0; i < 250; i++)
        {
            var last = 2 + ((Environment.ProcessId + i) % 250);
            if (last == 53)
            {
                continue;
            }

            var address = new IPAddress([127, 0, 0, (byte)last]);
            try
            {
                using var udp = new UdpClient(new IPEndPoint(address, 53));
                var tcp = new TcpListener(address, 53);
                tcp.Start();
                tcp.Stop();
                return address;
            }
            catch (SocketException)
            {
                // Taken on this address; try the next one.
            }
        }

        throw new InvalidOperationException("No 127.0.0.x address has port 53 free for UDP and TCP.");
    }

    private static async Task<DBCluster> DescribeAsync(Uri baseUrl, string id)
    {
        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = baseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "psql-through-dns"),
        });
        using var rds = aws.CreateRds(RegionEndpoint.USEast1);
        var response = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id });
        var cluster = Assert.Single(response.DBClusters ?? []);
        Assert.Equal("aurora-postgresql", cluster.Engine);
        Assert.False(string.IsNullOrEmpty(cluster.Endpoint));
        return cluster;
    }

    /// <summary>
    /// psql in a mount namespace of its own where /etc/resolv.conf names the sandbox's DNS. The cluster is available once
    /// seeded, but its real server may still be starting: psql is asked again until it answers or the deadline, a cap
    /// on a server that never comes up (the failures are in the message), never a measure.
    /// </summary>
    private async Task<string> PsqlUntilItAnswersAsync(string connection, CancellationToken deadline)
    {
        var failures = new StringBuilder();
        while (true)
        {
            var (exit, output, error) = await RunAsync(
                "unshare",
                ["-m", "sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec psql \"$1\" -tA -c 'select 1' -c 'select inet_server_addr()'", _resolvConf, connection],
                CancellationToken.None);
            if (exit == 0)
            {
                return output;
            }

            failures.AppendLine(CultureInfo.InvariantCulture, $"exit {exit}: {error.Trim()}");
            Assert.False(deadline.IsCancellationRequested, $"psql never answered:{Environment.NewLine}{failures}");
            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts build.sh --target=Sandbox with the sample on the real engine and its DNS on port 53 of <paramref name="dnsAddress"/>.</summary>
    private static async Task<SandboxTargetProcess> StartSandboxAsync(IPAddress dnsAddress)
    {
        var run = await SandboxTargetProcess.StartAsync(
            waitUntilReady: true, ["--sample", "--data-plane=postgres", $"--dns-address={dnsAddress}", "--dns-port=53", "--port=0"]);
        Assert.Contains("Data plane: postgres", run.Output, StringComparison.Ordinal);
        Assert.Contains($"DNS on {dnsAddress}:53", run.Output, StringComparison.Ordinal);
        return run;
    }
}
