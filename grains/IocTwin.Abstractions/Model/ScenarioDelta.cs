using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// A scenario against its baseline: changes of the network, each district, each district pair, and the segments most
/// affected. The network figures are null in a report trimmed to an OC's scope.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ScenarioDelta(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] KpiDelta? MeanSpeedKmh,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] KpiDelta? TotalDelayVehHours,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] KpiDelta? VehicleKm,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] KpiDelta? MeanCongestedKm,
    [property: Id(4)] IReadOnlyList<DistrictDelta> Districts,
    [property: Id(5)] IReadOnlyList<OdDelta> OdPairs,
    [property: Id(6)] IReadOnlyList<SegmentDelta> MostAffectedSegments);

[GenerateSerializer, Immutable]
public readonly record struct KpiDelta([property: Id(0)] double Baseline, [property: Id(1)] double Scenario)
{
    public double Change => Scenario - Baseline;
}

[GenerateSerializer, Immutable]
public sealed record DistrictDelta(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] KpiDelta MeanSpeedKmh,
    [property: Id(3)] KpiDelta DelayVehHours,
    [property: Id(4)] KpiDelta MeanCongestedKm);

[GenerateSerializer, Immutable]
public sealed record OdDelta(
    [property: Id(0)] string OriginDistrictId,
    [property: Id(1)] string DestinationDistrictId,
    [property: Id(2)] KpiDelta MeanTravelTimeMin,
    [property: Id(3)] KpiDelta DelayVehHours,
    [property: Id(4)] KpiDelta UnreachableTrips);

[GenerateSerializer, Immutable]
public sealed record SegmentDelta(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] string Name,
    [property: Id(2)] string DistrictId,
    [property: Id(3)] SegmentStatus BaselineStatus,
    [property: Id(4)] SegmentStatus ScenarioStatus,
    [property: Id(5)] KpiDelta MeanFlowVph,
    [property: Id(6)] KpiDelta DelayVehHours,
    [property: Id(7)] KpiDelta FinalVolumeToCapacity);
