using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>How a scenario moves traffic over the roads: the quasi-static assignment or dynamic network loading.</summary>
public enum TrafficModel
{
    /// <summary>Each step's flows are an equilibrium of its departure rates; demand above capacity shows as BPR delay.</summary>
    Static,

    /// <summary>A link transmission model: queues form at bottlenecks, spill back through junctions and dissipate.</summary>
    Dynamic,
}

/// <summary>
/// The queues of a run with dynamic loading: the worst ones (up to 20), the extent at every step of the 100 longest,
/// the city's queued vehicles and longest queue at every step, and spillback: the delay on links held back by a full
/// link downstream, and the vehicles let through a junction while their link was so held back. The city-wide figures
/// (the nullable ones) are left out of a report trimmed to an OC's scope.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record QueueReport(
    [property: Id(0)] IReadOnlyList<WorstQueue> Worst,
    [property: Id(1)] IReadOnlyList<QueueExtentSeries> Extents,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? QueuedVehicles,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? LongestQueueM,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SpillbackDelayVehHours,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? VehiclesDelayedBySpillback);

/// <summary>
/// One of the worst queues: a direction of a segment, its longest extent (from the downstream end, in metres and
/// vehicles), the minute it was longest, and the minutes it held at least one vehicle.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorstQueue(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] bool Forward,
    [property: Id(2)] string DistrictId,
    [property: Id(3)] double MaxLengthM,
    [property: Id(4)] double MaxVehicles,
    [property: Id(5)] double AtMinute,
    [property: Id(6)] double DurationMinutes);

/// <summary>The queue extent in metres on a direction of a segment at the end of every step of the run.</summary>
[GenerateSerializer, Immutable]
public sealed record QueueExtentSeries(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] bool Forward,
    [property: Id(2)] string DistrictId,
    [property: Id(3)] IReadOnlyList<double> ExtentM);
