using IocTwin.Model;

namespace IocTwin.Benchmarks.Harness;

/// <summary>What the benchmarks of one run share: options, the twin host, the city it holds, counters and results.</summary>
public sealed class BenchmarkContext(RunOptions options, string dataDirectory, Results results, Counters counters)
{
    public RunOptions Options { get; } = options;

    /// <summary>Where the run keeps its SQLite database; deleted at the end.</summary>
    public string DataDirectory { get; } = dataDirectory;

    public string DatabaseFile => Options.DatabaseFile ?? Path.Combine(DataDirectory, "twin.db");

    public Results Results { get; } = results;

    public Counters Counters { get; } = counters;

    public TwinHost Host { get; set; } = null!;

    /// <summary>The synthetic city, once generated.</summary>
    public CitySpec City { get; set; } = null!;

    /// <summary>Whether <see cref="City"/> is registered in the twin's storage.</summary>
    public bool CityImported { get; set; }

    /// <summary>No-op grain calls per second on this silo (benchmark 1); NaN until measured.</summary>
    public double BaselineCallRate { get; set; } = double.NaN;

    /// <summary>Process CPU per no-op grain call (benchmark 1), in microseconds; NaN until measured.</summary>
    public double BaselineCpuPerCall { get; set; } = double.NaN;

    /// <summary>Bytes allocated per no-op grain call (benchmark 1); NaN until measured.</summary>
    public double BaselineBytesPerCall { get; set; } = double.NaN;
}
