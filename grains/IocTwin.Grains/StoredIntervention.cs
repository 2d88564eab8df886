using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// An intervention as a scenario's state stores it: one flat record for every kind, with the field ids scenarios were
/// stored with before interventions were typed, so that those scenarios still load. Only the scenario grain sees it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StoredIntervention(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? SegmentId,
    [property: Id(2)] string? DistrictId,
    [property: Id(3)] double? Value,
    [property: Id(4)] string? OriginDistrictId,
    [property: Id(5)] string? DestinationDistrictId,
    [property: Id(6)] double StartMinute,
    [property: Id(7)] double? EndMinute)
{
    public static StoredIntervention From(InterventionSpec spec) => spec switch
    {
        SegmentInterventionSpec segment => new(spec.Kind, segment.SegmentId, null, ValueOf(spec), null, null, spec.StartMinute, spec.EndMinute),
        RainSpec rain => new(spec.Kind, null, rain.DistrictId, rain.Value, null, null, spec.StartMinute, spec.EndMinute),
        DemandSpec demand => new(spec.Kind, null, null, demand.Value, demand.OriginDistrictId, demand.DestinationDistrictId,
            spec.StartMinute, spec.EndMinute),
        _ => throw new ArgumentException($"Unknown intervention '{spec.GetType().Name}'.", nameof(spec)),
    };

    public InterventionSpec ToSpec() => Kind switch
    {
        InterventionKinds.CloseSegment => new CloseSegmentSpec(SegmentId ?? "", StartMinute, EndMinute),
        InterventionKinds.ReopenSegment => new ReopenSegmentSpec(SegmentId ?? "", StartMinute, EndMinute),
        InterventionKinds.Capacity => new CapacitySpec(SegmentId ?? "", Value, StartMinute, EndMinute),
        InterventionKinds.SpeedLimit => new SpeedLimitSpec(SegmentId ?? "", Value, StartMinute, EndMinute),
        InterventionKinds.Incident => new IncidentSpec(SegmentId ?? "", Value, StartMinute, EndMinute),
        InterventionKinds.Rain => new RainSpec(DistrictId ?? "", Value, StartMinute, EndMinute),
        InterventionKinds.Demand => new DemandSpec(Value, OriginDistrictId, DestinationDistrictId, StartMinute, EndMinute),
        _ => throw new InvalidOperationException($"A stored intervention has an unknown kind '{Kind}'."),
    };

    private static double? ValueOf(InterventionSpec spec) => spec switch
    {
        CapacitySpec capacity => capacity.Value,
        SpeedLimitSpec limit => limit.Value,
        IncidentSpec incident => incident.Value,
        _ => null,
    };
}
