namespace IocTwin.Benchmarks.Harness;

/// <summary>Sizes and durations of one run. <see cref="Full"/> is the reference run; <see cref="Quick"/> checks the harness in under a minute.</summary>
public sealed record RunOptions
{
    public required string Mode { get; init; }

    // The synthetic city (SyntheticCityGenerator).
    public required int Districts { get; init; }
    public required int Segments { get; init; }
    public required int Sensors { get; init; }
    /// <summary>Above 1: a second level of areas, each district cut into this many wards (<c>--wards-per-district</c>).</summary>
    public int WardsPerDistrict { get; init; }

    // 1. Baseline: no-op grain calls.
    public required int BaselineGrains { get; init; }
    public required int BaselineInFlight { get; init; }
    public required TimeSpan BaselineWarmup { get; init; }
    public required TimeSpan BaselineWindow { get; init; }

    // 2. Ingest.
    public required int BatchSize { get; init; }
    public required int GrainBatchesInFlight { get; init; }
    public required int HttpBatchesInFlight { get; init; }
    public required TimeSpan IngestWarmup { get; init; }
    public required TimeSpan IngestWindow { get; init; }

    // 3. Reading-to-screen latency.
    public required double FeedReadingsPerSecond { get; init; }
    public required int[] ClientSteps { get; init; }
    public required int ScopeDistricts { get; init; }
    /// <summary>Feed time before the first round, for write-behind and rollups to reach their steady state.</summary>
    public required TimeSpan LatencyFeedWarmup { get; init; }
    /// <summary>Feed time before each round, after connecting screens.</summary>
    public required TimeSpan LatencyWarmup { get; init; }
    public required TimeSpan LatencyWindow { get; init; }
    /// <summary>After a round, how long the last readings of the round have to reach the screens.</summary>
    public required TimeSpan LatencyGrace { get; init; }

    // 6. Subscribe latency.
    /// <summary>Readings/s of the feed while NGSI-LD notifications are timed.</summary>
    public required double NotifyFeedReadingsPerSecond { get; init; }

    public required int SubscribeSamples { get; init; }
    public required double SubscribeFeedReadingsPerSecond { get; init; }

    // 8. Area tree staleness (opt-in: --only=areas).
    /// <summary>The city <c>--only=areas</c> builds when no <c>--size</c> and <c>--wards-per-district</c> are given.</summary>
    public required (int Districts, int Segments, int Sensors, int WardsPerDistrict) AreaCity { get; init; }
    public required double AreaFeedReadingsPerSecond { get; init; }
    /// <summary>How long the feed may take to reach every sensor of an imported city once (each activates then) before the warm-up.</summary>
    public required TimeSpan AreaActivationLimit { get; init; }
    public required TimeSpan AreaWarmup { get; init; }
    public required TimeSpan AreaWindow { get; init; }
    /// <summary>How long the work queued behind the feed may take to drain after the window.</summary>
    public required TimeSpan AreaDrainLimit { get; init; }

    // PostgreSQL (opt-in: --only=postgres).
    /// <summary>How long pgbench runs for the PostgreSQL row's baseline.</summary>
    public required TimeSpan PgBenchDuration { get; init; }

    /// <summary>
    /// The PostgreSQL server of the PostgreSQL row (command line: --postgres=connection string); by default a
    /// throwaway cluster on loopback started with .ci/postgres.sh and removed after the row.
    /// </summary>
    public string? PostgresConnection { get; init; }

    // 4. Memory.
    public required int MemoryWarmupSensors { get; init; }
    /// <summary>Wait after activations before measuring memory: rollups, and write-behind when it is longer than PersistDelay.</summary>
    public required TimeSpan MemorySettle { get; init; }

    // 6. Static assignment.
    /// <summary>
    /// A directory with one network in TNTP format (command line: --tntp=dir); by default ../shared/data/tntp/ChicagoSketch
    /// beside the repository, when it exists. Read in place, never copied into the repository.
    /// </summary>
    public string? TntpDirectory { get; init; } = DefaultTntpDirectory();

    /// <summary>Relative gap the static assignment runs to (command line: --gap=1e-4).</summary>
    public double AssignmentGap { get; init; } = 1e-4;

    /// <summary>Extra settings for the twin host, e.g. Twin:PersistDelay=00:00:30 (command line: --set key=value).</summary>
    public Dictionary<string, string?> HostSettings { get; init; } = [];

    /// <summary>Benchmarks to run (command line: --only=baseline,ingest,latency,ngsi-ld-notify,memory); all when empty.</summary>
    public HashSet<string> Only { get; init; } = [];

    /// <summary>Also write the report to this file (command line: --out=path).</summary>
    public string? OutputFile { get; init; }

    /// <summary>
    /// Keep the twin's SQLite database in this file across runs (command line: --db=path); a city already stored there
    /// is reused, not imported again. By default each run imports into a fresh temporary database.
    /// </summary>
    public string? DatabaseFile { get; init; }

    public static readonly RunOptions Full = new()
    {
        Mode = "full",
        Districts = 100,
        Segments = 10_000,
        Sensors = 50_000,
        BaselineGrains = 10_000,
        BaselineInFlight = 1_000,
        BaselineWarmup = TimeSpan.FromSeconds(3),
        BaselineWindow = TimeSpan.FromSeconds(10),
        BatchSize = 5_000,
        GrainBatchesInFlight = 4,
        HttpBatchesInFlight = 4,
        IngestWarmup = TimeSpan.FromSeconds(10),
        // About three history moves (a million readings each) fall in the window, so the figure holds their share of the work.
        IngestWindow = TimeSpan.FromSeconds(45),
        FeedReadingsPerSecond = 20_000,
        ClientSteps = [1, 200, 1_000],
        ScopeDistricts = 10,
        LatencyFeedWarmup = TimeSpan.FromSeconds(30),
        LatencyWarmup = TimeSpan.FromSeconds(5),
        LatencyWindow = TimeSpan.FromSeconds(20),
        LatencyGrace = TimeSpan.FromSeconds(5),
        NotifyFeedReadingsPerSecond = 5_000,
        SubscribeSamples = 20,
        SubscribeFeedReadingsPerSecond = 20_000,
        MemoryWarmupSensors = 1_000,
        MemorySettle = TimeSpan.FromSeconds(6),
        AreaCity = (100, 100_000, 500_000, 9),
        AreaFeedReadingsPerSecond = 50_000,
        AreaActivationLimit = TimeSpan.FromMinutes(10),
        AreaWarmup = TimeSpan.FromSeconds(30),
        AreaWindow = TimeSpan.FromSeconds(30),
        AreaDrainLimit = TimeSpan.FromMinutes(5),
        PgBenchDuration = TimeSpan.FromSeconds(20),
    };

    public static readonly RunOptions Quick = new()
    {
        Mode = "quick",
        Districts = 10,
        Segments = 400,
        Sensors = 2_000,
        BaselineGrains = 2_000,
        BaselineInFlight = 1_000,
        BaselineWarmup = TimeSpan.FromSeconds(1),
        BaselineWindow = TimeSpan.FromSeconds(2),
        BatchSize = 500,
        GrainBatchesInFlight = 4,
        HttpBatchesInFlight = 4,
        IngestWarmup = TimeSpan.FromSeconds(1),
        IngestWindow = TimeSpan.FromSeconds(2),
        FeedReadingsPerSecond = 500,
        ClientSteps = [1, 50],
        ScopeDistricts = 5,
        LatencyFeedWarmup = TimeSpan.FromSeconds(1),
        LatencyWarmup = TimeSpan.FromSeconds(1),
        LatencyWindow = TimeSpan.FromSeconds(2),
        LatencyGrace = TimeSpan.FromSeconds(1.5),
        NotifyFeedReadingsPerSecond = 500,
        SubscribeSamples = 5,
        SubscribeFeedReadingsPerSecond = 2_000,
        // The quick city's 2,000 sensors would fit the default part: smaller parts check the harness on a city in parts.
        HostSettings = new() { ["Streaming:SnapshotSensorsPerFrame"] = "500" },
        MemoryWarmupSensors = 200,
        MemorySettle = TimeSpan.FromSeconds(1),
        AreaCity = (10, 2_000, 4_000, 3),
        AreaFeedReadingsPerSecond = 2_000,
        AreaActivationLimit = TimeSpan.FromMinutes(2),
        AreaWarmup = TimeSpan.FromSeconds(3),
        AreaWindow = TimeSpan.FromSeconds(5),
        AreaDrainLimit = TimeSpan.FromSeconds(60),
        PgBenchDuration = TimeSpan.FromSeconds(5),
    };

    public bool Runs(string benchmark) => Only.Count == 0 || Only.Contains(benchmark);

    /// <summary>
    /// Whether a benchmark left out of a run that names none runs: only when named in --only. The area tree benchmark
    /// is one: it imports a second city and, at its size, takes longer than all the others together.
    /// </summary>
    public bool RunsNamed(string benchmark) => Only.Contains(benchmark);

    public static RunOptions Parse(string[] args)
    {
        var options = args.Contains("--quick") ? Quick : Full;
        var settings = new Dictionary<string, string?>(options.HostSettings);
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? output = null;
        string? database = null;
        string? postgres = null;
        string? tntp = options.TntpDirectory;
        var gap = options.AssignmentGap;
        (int, int, int)? size = null;
        int? wards = null;
        int? subscribeSamples = null;
        int[]? screens = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value(string name) =>
                arg.Length > name.Length && arg[name.Length] == '=' ? arg[(name.Length + 1)..]
                : i + 1 < args.Length ? args[++i]
                : throw new ArgumentException($"{name} needs a value");
            if (arg == "--quick")
            {
                continue;
            }
            if (arg.StartsWith("--set", StringComparison.Ordinal))
            {
                var pair = Value("--set");
                var eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    throw new ArgumentException("--set takes key=value");
                }
                settings[pair[..eq]] = pair[(eq + 1)..];
            }
            else if (arg.StartsWith("--only", StringComparison.Ordinal))
            {
                only.UnionWith(Value("--only").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else if (arg.StartsWith("--out", StringComparison.Ordinal))
            {
                output = Value("--out");
            }
            else if (arg.StartsWith("--tntp", StringComparison.Ordinal))
            {
                tntp = Path.GetFullPath(Value("--tntp"));
            }
            else if (arg.StartsWith("--gap", StringComparison.Ordinal))
            {
                gap = double.Parse(Value("--gap"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (arg.StartsWith("--postgres", StringComparison.Ordinal))
            {
                postgres = Value("--postgres");
            }
            else if (arg.StartsWith("--db", StringComparison.Ordinal))
            {
                database = Path.GetFullPath(Value("--db"));
            }
            else if (arg.StartsWith("--wards-per-district", StringComparison.Ordinal))
            {
                wards = int.Parse(Value("--wards-per-district"), System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (arg.StartsWith("--subscribe-samples", StringComparison.Ordinal))
            {
                // More calls than the default 20 make p99 a percentile rather than the slowest call.
                subscribeSamples = int.Parse(Value("--subscribe-samples"), System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (arg.StartsWith("--screens", StringComparison.Ordinal))
            {
                // The latency row's steps of screens after its 0-screen baseline, e.g. 1000 for the target's step alone.
                screens = [.. Value("--screens").Split(',').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
            }
            else if (arg.StartsWith("--size", StringComparison.Ordinal))
            {
                var parts = Value("--size").Split('/').Select(p => int.Parse(p, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                size = parts.Length == 3 ? (parts[0], parts[1], parts[2]) : throw new ArgumentException("--size takes districts/segments/sensors");
            }
            else
            {
                throw new ArgumentException(
                    $"Unknown argument '{arg}'. Usage: [--quick] [--only=baseline,import,ingest,ngsi-ld-ingest,latency,ngsi-ld-notify,subscribe,scenario,memory,assignment,areas,million,assets,postgres,cluster] [--size=districts/segments/sensors] [--wards-per-district=n] [--subscribe-samples=n] [--screens=1,200,1000] " +
                    "[--set Twin:Key=value] [--db=twin.db] [--postgres=connection-string] [--out=report.md] [--tntp=network-dir] [--gap=1e-4]");
            }
        }
        // Alone, the area benchmark measures the city of its row unless told otherwise.
        if (only.Count == 1 && only.Contains(Benchmarks.AreaStalenessBenchmark.Name) && size is null && wards is null)
        {
            (size, wards) = ((options.AreaCity.Districts, options.AreaCity.Segments, options.AreaCity.Sensors), options.AreaCity.WardsPerDistrict);
        }
        // Alone, the million-sensor benchmark measures its own city.
        if (only.Count == 1 && only.Contains(Benchmarks.MillionBenchmark.Name) && size is null)
        {
            size = Benchmarks.MillionBenchmark.City;
        }
        if (size is var (districts, segments, sensors))
        {
            options = options with { Districts = districts, Segments = segments, Sensors = sensors };
        }
        if (screens is not null)
        {
            options = options with { ClientSteps = screens };
        }
        if (subscribeSamples is { } samples)
        {
            options = options with { SubscribeSamples = samples };
        }
        if (wards is { } wardsPerDistrict)
        {
            options = options with { WardsPerDistrict = wardsPerDistrict };
        }
        if (only.Contains(Benchmarks.AreaStalenessBenchmark.Name) && options.WardsPerDistrict < 2)
        {
            throw new ArgumentException(
                $"--only={Benchmarks.AreaStalenessBenchmark.Name} compares a tree of areas with the flat city: give --wards-per-district of 2 or more, or run it alone for the row's city");
        }
        return options with { HostSettings = settings, Only = only, OutputFile = output, DatabaseFile = database, PostgresConnection = postgres, TntpDirectory = tntp, AssignmentGap = gap };
    }

    /// <summary>../shared/data/tntp/ChicagoSketch beside the repository (found by its IocTwin.sln above the working folder), if there.</summary>
    private static string? DefaultTntpDirectory()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IocTwin.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "tntp", "ChicagoSketch"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}
