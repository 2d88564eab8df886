using IocTwin.Persistence;
using Microsoft.Data.Sqlite;

namespace IocTwin.Hosting;

/// <summary>How an API process reaches the grains.</summary>
public enum ApiMode
{
    /// <summary>The API hosts a silo itself: one process, nothing else to start.</summary>
    Embedded,
    /// <summary>The API is an Orleans client of a separate silo cluster.</summary>
    Client,
}

public enum ClusteringKind
{
    /// <summary>One silo on this machine.</summary>
    Localhost,
    /// <summary>Membership in the PostgreSQL database, for several silos.</summary>
    AdoNet,
}

/// <summary>Where the twin keeps its state and how silos find each other (configuration section "Twin").</summary>
public sealed class TwinHostingOptions
{
    /// <summary>API processes only: host a silo (the default) or join a cluster as a client.</summary>
    public ApiMode Mode { get; set; } = ApiMode.Embedded;

    public StorageKind Storage { get; set; } = StorageKind.Sqlite;

    public string ConnectionString { get; set; } = "Data Source=.data/ioctwin.db";

    /// <summary>
    /// Where reading and KPI history live. Unset: on SQLite a file of its own beside the state file
    /// (<c>ioctwin-history.db</c> beside <c>ioctwin.db</c>), so that history and grain state are written at the same
    /// time, SQLite taking one writer per file; on PostgreSQL the same database.
    /// </summary>
    public string? HistoryConnectionString { get; set; }

    /// <summary>The history database in effect (see <see cref="HistoryConnectionString"/>).</summary>
    public HistoryDatabase History => new(Storage, HistoryConnection);

    public string HistoryConnection => HistoryConnectionString is { Length: > 0 } history ? history
        : Storage == StorageKind.Sqlite ? SqliteSibling(ConnectionString, "-history") : ConnectionString;

    private static string SqliteSibling(string connectionString, string suffix)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        if (file is "" or ":memory:" || builder.Mode == SqliteOpenMode.Memory ||
            file.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return connectionString;
        }
        builder.DataSource = Path.Combine(Path.GetDirectoryName(file) ?? "", Path.GetFileNameWithoutExtension(file) + suffix + Path.GetExtension(file));
        return builder.ToString();
    }

    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    public string ClusterId { get; set; } = "ioctwin";

    public string ServiceId { get; set; } = "ioctwin";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at; loopback when unset.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>New segments and sensors an import stores per transaction (see <c>TopologyImporter</c>).</summary>
    public int ImportBatchSize { get; set; } = Topology.TopologyImporter.DefaultBatchSize;

    /// <summary>Load the Da Nang sample when the twin holds no district yet.</summary>
    public bool SeedSampleCity { get; set; } = true;
}
