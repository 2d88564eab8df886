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

/// <summary>
/// A scope's shared records as of <see cref="Sequence"/>, and every delta frame the scope sent since, in order. A later
/// subscriber gets these records with that sequence, and the frames since queued ahead of everything else it is sent:
/// what the records miss is in those frames (a client keeps the newer of two records), so nothing is lost or reordered.
/// Guarded by the dispatcher's lock.
/// </summary>
internal sealed class SharedSnapshot(long sequence, long generation)
{
    public long Sequence { get; } = sequence;

    /// <summary>The held state's topology generation when the records began to be taken (<see cref="HeldTwin.Generation"/>).</summary>
    public long Generation { get; } = generation;

    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    public Task<HeldRecords> Records { get; set; } = null!;

    public List<SerializedHubMessage> FramesSince { get; } = [];

    /// <summary>Segments and sensors in <see cref="FramesSince"/>: what a later subscriber is sent ahead of its snapshot.</summary>
    public int RecordsSince { get; set; }

    public void Add(SerializedHubMessage frame, int records)
    {
        FramesSince.Add(frame);
        RecordsSince += records;
    }
}

/// <summary>What a subscriber joined: the sequence its snapshot carries, and for a city or sector scope the shared records.</summary>
public sealed record ScopeJoin(long Sequence, Task<HeldRecords>? Held);
