namespace IocTwin.Hosting;

public enum StorageKind
{
    /// <summary>An embedded SQLite file: nothing to install.</summary>
    Sqlite,
    PostgreSql,
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
    public StorageKind Storage { get; set; } = StorageKind.Sqlite;

    public string ConnectionString { get; set; } = "Data Source=.data/ioctwin.db";

    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    public string ClusterId { get; set; } = "ioctwin";

    public string ServiceId { get; set; } = "ioctwin";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at; loopback when unset.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Load the Da Nang sample when the twin holds no district yet.</summary>
    public bool SeedSampleCity { get; set; } = true;
}
