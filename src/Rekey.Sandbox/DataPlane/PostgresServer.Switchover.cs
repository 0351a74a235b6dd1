using System.Globalization;
using Npgsql;

namespace Rekey.Sandbox.DataPlane;

/// <summary>
/// What a Blue/Green switchover does to a server: refuses new client connections (TCP) while the names move,
/// closes the open ones, makes every new transaction read only, and opens it again. The sandbox's own
/// administrative connections and green's subscription come over the Unix socket, which stays open.
/// </summary>
public sealed partial class PostgresServer
{
    /// <summary>Whether every new transaction is read only (default_transaction_read_only, as after a switchover on the old blue).</summary>
    public bool ReadOnly { get; private set; }

    /// <summary>Whether client connections over TCP are refused (pg_hba.conf rejects them).</summary>
    public bool ClientsRefused { get; private set; }

    /// <summary>Refuses new client connections or lets them in again, then reloads the configuration.</summary>
    public async Task RefuseClientsAsync(bool refuse, CancellationToken cancellationToken = default)
    {
        var method = refuse ? "reject" : "trust";
        var rules = string.Join(
            '\n',
            "# Written by the Rekey sandbox: the Unix socket is the sandbox's own; clients come over TCP.",
            "local all all trust",
            "local replication all trust",
            $"host all all all {method}",
            $"host replication all all {method}",
            string.Empty);
        await WriteAsServerUserAsync(Path.Combine(DataDirectory, "pg_hba.conf"), rules, cancellationToken);
        await ScalarAsync("SELECT pg_reload_conf()", cancellationToken: cancellationToken);
        ClientsRefused = refuse;
    }

    /// <summary>Makes every new transaction read only (ALTER SYSTEM, so every database and every new session) or writable again.</summary>
    public async Task SetReadOnlyAsync(bool readOnly, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken);

        // The administrative session itself may already be read only; ALTER SYSTEM runs outside a transaction block.
        foreach (var sql in (string[])[
            "SET default_transaction_read_only = off",
            readOnly ? "ALTER SYSTEM SET default_transaction_read_only = on" : "ALTER SYSTEM RESET default_transaction_read_only",
            "SELECT pg_reload_conf()"])
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        ReadOnly = readOnly;
    }

    /// <summary>The end of the WAL written so far (pg_current_wal_lsn), as text.</summary>
    public async Task<string> CurrentWalPositionAsync(CancellationToken cancellationToken = default) =>
        (string)(await ScalarAsync("SELECT pg_current_wal_lsn()::text", cancellationToken: cancellationToken))!;

    /// <summary>
    /// Whether the subscriber of the logical slot <paramref name="slot"/> has applied and confirmed everything up to
    /// <paramref name="position"/>: the slot's confirmed_flush_lsn, which the subscriber moves only past what it committed.
    /// </summary>
    public async Task<bool> SlotConfirmedThroughAsync(string slot, string position, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(bool_and(confirmed_flush_lsn >= @position::pg_lsn), false) FROM pg_replication_slots WHERE slot_name = @slot",
            connection);
        command.Parameters.AddWithValue("position", position);
        command.Parameters.AddWithValue("slot", slot);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Ends the subscription <paramref name="name"/> (and its slot on the publisher): after a switchover green no longer follows blue.</summary>
    public async Task DropSubscriptionAsync(string name, CancellationToken cancellationToken = default)
    {
        var database = Database ?? "postgres";
        var exists = await ScalarAsync(
            string.Create(CultureInfo.InvariantCulture, $"SELECT count(*) FROM pg_subscription WHERE subname = '{name}'"), database, cancellationToken);
        if (Convert.ToInt64(exists, CultureInfo.InvariantCulture) > 0)
        {
            await ExecuteAsync($"DROP SUBSCRIPTION {name}", database, cancellationToken);
        }
    }
}
