namespace Rekey.Sandbox.RDS;

/// <summary>A DB cluster parameter group or a DB (instance) parameter group: two kinds, two namespaces, as in RDS.</summary>
public sealed class ParameterGroup
{
    public const string ClusterKind = "cluster";
    public const string InstanceKind = "instance";

    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>Stored lowercase, as RDS does.</summary>
    public required string Name { get; init; }

    /// <summary><see cref="ClusterKind"/> or <see cref="InstanceKind"/>.</summary>
    public required string Kind { get; init; }

    public required string Family { get; init; }

    public required string Description { get; init; }

    public List<RdsTag> Tags { get; set; } = [];

    /// <summary>The values set by the user (Source=user): name -> value and the ApplyMethod given.</summary>
    public Dictionary<string, UserParameter> UserValues { get; set; } = new(StringComparer.Ordinal);

    public bool IsDefault => ParameterCatalog.IsDefaultName(Name);

    public string Arn => $"arn:aws:rds:{Region}:{Account}:{(Kind == ClusterKind ? "cluster-pg" : "pg")}:{Name}";
}

public sealed record UserParameter(string Value, string ApplyMethod);

/// <summary>One parameter as an engine family defines it.</summary>
public sealed record ParameterDefinition(
    string Name,
    string? DefaultValue,
    string Description,
    string Source,
    string ApplyType,
    string DataType,
    string? AllowedValues,
    bool IsModifiable)
{
    public bool IsStatic => ApplyType == "static";

    /// <summary>Whether a value is allowed: a comma list ("ON,OFF") or an integer range ("0-1").</summary>
    public bool Allows(string value)
    {
        if (AllowedValues is null)
        {
            return true;
        }

        var range = System.Text.RegularExpressions.Regex.Match(AllowedValues, "^(-?[0-9]+)-(-?[0-9]+)$");
        if (range.Success)
        {
            var culture = System.Globalization.CultureInfo.InvariantCulture;
            return decimal.TryParse(value, System.Globalization.NumberStyles.Float, culture, out var number) &&
                number >= decimal.Parse(range.Groups[1].Value, culture) && number <= decimal.Parse(range.Groups[2].Value, culture);
        }

        // A list parameter takes several of the allowed values, comma-separated.
        var values = DataType == "list" ? value.Split(',') : [value];
        return values.All(v => AllowedValues.Split(',').Contains(v, StringComparer.OrdinalIgnoreCase));
    }
}

/// <summary>
/// The parameters the sandbox knows per family and level, with the defaults, apply types and
/// allowed values of the AWS default parameter groups (a realistic handful, not all of them).
/// </summary>
public static class ParameterCatalog
{
    public static IReadOnlyList<string> Families { get; } =
        ["aurora-mysql5.7", "aurora-mysql8.0", "aurora-postgresql13", "aurora-postgresql14", "aurora-postgresql15", "aurora-postgresql16", "aurora-postgresql17"];

    private static readonly ParameterDefinition[] MySqlCluster =
    [
        new("binlog_format", "OFF", "Binary logging format for replication.", "system", "static", "string", "ROW,STATEMENT,MIXED,OFF", true),
        new("binlog_row_image", null, "Controls whether rows should be logged in FULL, NOBLOB or MINIMAL formats.", "engine-default", "dynamic", "string", "FULL,MINIMAL,NOBLOB", true),
        new("character_set_server", null, "The server's default character set.", "engine-default", "dynamic", "string", "big5,latin1,utf8,utf8mb4", true),
        new("event_scheduler", "OFF", "Indicates the status of the Event Scheduler.", "engine-default", "dynamic", "string", "ON,OFF", true),
        new("innodb_autoinc_lock_mode", "2", "The locking mode to use for generating auto-increment values.", "system", "static", "integer", "0-2", true),
        new("lower_case_table_names", null, "Sets how table names are stored and compared.", "engine-default", "static", "integer", "0-1", true),
        new("require_secure_transport", "OFF", "Whether client connections must use a secure transport.", "engine-default", "dynamic", "boolean", "ON,OFF", true),
        new("server_audit_logging", "0", "Enables audit logging.", "engine-default", "dynamic", "boolean", "0-1", true),
        new("time_zone", null, "The server time zone.", "engine-default", "dynamic", "string", "UTC,US/Eastern,US/Pacific,Europe/London,Asia/Tokyo", true),
        new("aurora_enable_repl_bin_log_filtering", "1", "Whether the replica applies replication filters on binary log events.", "system", "static", "boolean", "0-1", false),
    ];

    private static readonly ParameterDefinition[] MySqlInstance =
    [
        new("general_log", null, "Whether the general query log is enabled.", "engine-default", "dynamic", "boolean", "0-1", true),
        new("innodb_buffer_pool_size", "{DBInstanceClassMemory*3/4}", "The size in bytes of the memory buffer innodb uses.", "system", "static", "integer", "0-9223372036854775807", true),
        new("long_query_time", null, "Queries longer than this many seconds are slow queries.", "engine-default", "dynamic", "float", "0-31536000", true),
        new(
            "max_connections",
            "GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000})",
            "The number of simultaneous client connections allowed.",
            "engine-default",
            "dynamic",
            "integer",
            "1-16000",
            true),
        new("performance_schema", "0", "Enables or disables the Performance Schema.", "system", "static", "boolean", "0-1", true),
        new("slow_query_log", null, "Whether the slow query log is enabled.", "engine-default", "dynamic", "boolean", "0-1", true),
    ];

    private static readonly ParameterDefinition[] PostgreSqlCluster =
    [
        new("log_statement", null, "Sets the type of statements logged.", "engine-default", "dynamic", "string", "none,ddl,mod,all", true),
        new("max_logical_replication_workers", null, "Maximum number of logical replication worker processes.", "engine-default", "static", "integer", "0-262143", true),
        new("max_replication_slots", "20", "Sets the maximum number of replication slots that the server can support.", "engine-default", "static", "integer", "5-262143", true),
        new("max_wal_senders", "20", "Sets the maximum number of simultaneously running WAL sender processes.", "engine-default", "static", "integer", "5-262143", true),
        new("rds.force_ssl", "1", "Force SSL connections.", "system", "dynamic", "boolean", "0-1", true),
        new("rds.logical_replication", "0", "Enables logical decoding.", "engine-default", "static", "boolean", "0-1", true),
        new(
            "shared_preload_libraries",
            "pg_stat_statements",
            "Lists shared libraries to preload into server.",
            "system",
            "static",
            "list",
            "auto_explain,orafce,pgaudit,pglogical,pg_bigm,pg_cron,pg_hint_plan,pg_prewarm,pg_similarity,pg_stat_statements,pg_tle,pg_partman_bgw,plprofiler,pg_transport",
            true),
        new("synchronous_commit", "on", "Sets the current transaction's synchronization level.", "engine-default", "dynamic", "string", "local,on,off,remote_apply,remote_write", true),
        new("timezone", "UTC", "Sets the time zone for displaying and interpreting time stamps.", "engine-default", "dynamic", "string", "UTC,US/Eastern,US/Pacific,Europe/London,Asia/Tokyo", true),
        new("wal_level", "logical", "The level of information written to the WAL (set by rds.logical_replication).", "system", "static", "string", null, false),
    ];

    private static readonly ParameterDefinition[] PostgreSqlInstance =
    [
        new("log_min_duration_statement", null, "Sets the minimum execution time above which statements will be logged.", "engine-default", "dynamic", "integer", "-1-2147483647", true),
        new("max_connections", "LEAST({DBInstanceClassMemory/9531392},5000)", "Sets the maximum number of concurrent connections.", "system", "static", "integer", "6-262143", true),
        new("shared_buffers", "{DBInstanceClassMemory/12038}", "Sets the number of shared memory buffers used by the server.", "system", "static", "integer", "16-1073741823", true),
        new("statement_timeout", null, "Sets the maximum allowed duration of any statement.", "engine-default", "dynamic", "integer", "0-2147483647", true),
        new("work_mem", null, "Sets the maximum memory to be used for query workspaces.", "engine-default", "dynamic", "integer", "64-2147483647", true),
    ];

    /// <summary>The parameters of a family at a level, ordered by name as RDS lists them.</summary>
    public static IReadOnlyList<ParameterDefinition> For(string family, string kind)
    {
        var mysql = family.StartsWith("aurora-mysql", StringComparison.Ordinal);
        var list = (mysql, kind == ParameterGroup.ClusterKind) switch
        {
            (true, true) => MySqlCluster,
            (true, false) => MySqlInstance,
            (false, true) => PostgreSqlCluster,
            (false, false) => PostgreSqlInstance,
        };
        return [.. list.OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    /// <summary>The family of an engine version: aurora-postgresql 16.6 -> aurora-postgresql16, aurora-mysql 8.0.mysql_aurora.3.08.0 -> aurora-mysql8.0.</summary>
    public static string FamilyOf(string engine, string engineVersion) => engine == "aurora-mysql"
        ? "aurora-mysql" + (engineVersion.StartsWith("5.7", StringComparison.Ordinal) ? "5.7" : "8.0")
        : engine + engineVersion.Split('.')[0];

    public static string DefaultName(string family) => "default." + family;

    public static bool IsDefaultName(string name) => name.StartsWith("default.", StringComparison.Ordinal);
}
