namespace IocTwin.Api.Streaming;

public sealed class StreamingOptions
{
    public const string SectionName = "Streaming";

    /// <summary>
    /// At most this many delta frames a second per scope, each scope at slots of its own; changes in between are merged,
    /// latest wins. While a scope keeps changing the interval is the most a change waits here: 100 ms keeps reading →
    /// screen under 300 ms with the rollup's own 100–200 ms ahead of it. A scope that let its slot pass sends a change at once.
    /// </summary>
    public double MaxFramesPerSecond { get; set; } = 10;

    /// <summary>Frames waiting for one client; when a client falls this far behind it gets a resync instead.</summary>
    public int OutboxCapacity { get; set; } = 32;

    /// <summary>SignalR's per-connection buffer, in bytes; a client not reading stops taking frames past it.</summary>
    public long ConnectionBufferBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How long a client may take no frame (a frame waiting to be written all along) and still be resynced; past it
    /// the server closes the connection with a reason. Below the JavaScript client's 30 s server timeout, so that a
    /// screen waking from a longer freeze still reads the reason before it gives up on its own.
    /// </summary>
    public TimeSpan MaxStall { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a client closed for stalling has to read the close message before the connection is dropped.</summary>
    public TimeSpan CloseGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Hub calls of one connection that run at once, so a screen opening several scopes is not served one by one.</summary>
    public int ParallelCallsPerConnection { get; set; } = 4;

    /// <summary>
    /// A snapshot whose scope holds more sensors than this is sent in parts: the Subscribe answer carries the scope's
    /// other records and the first sensors, "snapshot-part" frames the rest, so a screen draws a big scope at once and
    /// fills it in. 0 sends every snapshot whole.
    /// </summary>
    public int SnapshotSensorsPerFrame { get; set; } = 2_000;

    /// <summary>
    /// The same for segments, which carry their geometry (about twice a sensor's bytes): a scope with more segments sends
    /// them in parts of at most this many, so a city's answer carries its areas and KPIs, not every road. 0 sends them whole.
    /// </summary>
    public int SnapshotSegmentsPerFrame { get; set; } = 1_000;

    /// <summary>
    /// How old the state an API process holds for snapshots may be read from the grains before it is read again in the
    /// background; live updates keep it current meanwhile, this heals one lost on the way.
    /// </summary>
    public TimeSpan HeldStateRefresh { get; set; } = TimeSpan.FromMinutes(5);
}
