namespace IocTwin.Api.Streaming;

public sealed class StreamingOptions
{
    public const string SectionName = "Streaming";

    /// <summary>At most this many delta frames a second per scope; changes in between are merged, latest wins.</summary>
    public double MaxFramesPerSecond { get; set; } = 4;

    /// <summary>Frames waiting for one client; when a client falls this far behind it gets a resync instead.</summary>
    public int OutboxCapacity { get; set; } = 32;

    /// <summary>SignalR's per-connection buffer, in bytes; a client not reading stops taking frames past it.</summary>
    public long ConnectionBufferBytes { get; set; } = 64 * 1024;
}
