using System.Diagnostics;
using IocTwin.Model;
using Microsoft.AspNetCore.SignalR;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// The records of a city or sector snapshot, taken from the state the process holds: the same for every subscriber of
/// the scope, so taken once and serialised once (<see cref="SharedList{T}"/>). <see cref="AreaIds"/>: every area the
/// records came from, whose open alerts each subscriber reads fresh.
/// </summary>
public sealed record HeldRecords(
    CityView? City, SharedList<DistrictView> Districts, SharedList<SegmentView> Segments, SharedList<SensorView> Sensors,
    IReadOnlyList<string> AreaIds);

/// <summary>A delta frame a scope sent, as serialised for its subscribers and as records.</summary>
internal readonly record struct SentFrame(SerializedHubMessage Message, DeltaFrame Frame);

/// <summary>
/// A scope's shared records as of <see cref="Sequence"/>, and every delta frame the scope sent since, in order. A later
/// subscriber gets these records with that sequence, and the frames since queued ahead of everything else it is sent:
/// what the records miss is in those frames (a client keeps the newer of two records), so nothing is lost or reordered.
/// Guarded by the dispatcher's lock.
/// </summary>
internal sealed class SharedSnapshot(long sequence, long generation, Task<HeldRecords> records)
{
    public long Sequence { get; } = sequence;

    /// <summary>The held state's topology generation when the records began to be taken (<see cref="HeldTwin.Generation"/>).</summary>
    public long Generation { get; } = generation;

    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    public Task<HeldRecords> Records { get; } = records;

    public List<SentFrame> FramesSince { get; } = [];

    /// <summary>Segments and sensors in <see cref="FramesSince"/>: what a later subscriber is sent ahead of its snapshot.</summary>
    public int RecordsSince { get; private set; }

    public void Add(SentFrame frame)
    {
        FramesSince.Add(frame);
        RecordsSince += frame.Frame.Sensors.Count + frame.Frame.Segments.Count;
    }
}

/// <summary>
/// What a subscriber joined: the sequence its snapshot carries, for a city or sector scope the shared records, and for a
/// city, area or sector scope the moving assets it covered when it joined.
/// </summary>
public sealed record ScopeJoin(long Sequence, Task<HeldRecords>? Held, List<AssetView>? Assets = null)
{
    /// <summary>The connection's hold of the scope's frames this join took; its release names it.</summary>
    public long Hold { get; init; }
}
