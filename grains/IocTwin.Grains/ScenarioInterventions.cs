using IocTwin.Model;
using IocTwin.Simulation;

namespace IocTwin.Grains;

/// <summary>Interventions as operators give them, turned into the simulation's inputs, and its problems back into the request's field names.</summary>
internal static class ScenarioInterventions
{
    public static Intervention ToSimulation(InterventionSpec spec) => spec switch
    {
        CloseSegmentSpec close => new CloseSegment(close.SegmentId, spec.StartMinute, spec.EndMinute),
        ReopenSegmentSpec reopen => new ReopenSegment(reopen.SegmentId, spec.StartMinute, spec.EndMinute),
        CapacitySpec capacity => new ChangeCapacity(capacity.SegmentId, capacity.Value ?? double.NaN, spec.StartMinute, spec.EndMinute),
        SpeedLimitSpec limit => new ChangeSpeedLimit(limit.SegmentId, limit.Value ?? double.NaN, spec.StartMinute, spec.EndMinute),
        IncidentSpec incident => new Incident(incident.SegmentId, incident.Value ?? IncidentSpec.DefaultCapacityReduction,
            spec.StartMinute, spec.EndMinute),
        RainSpec rain => new Rainfall(rain.DistrictId, rain.Value ?? double.NaN, spec.StartMinute, spec.EndMinute),
        DemandSpec demand => new AddDemand(End(demand.OriginDistrictId), End(demand.DestinationDistrictId), demand.Value ?? double.NaN,
            spec.StartMinute, spec.EndMinute),
        _ => throw new ArgumentException($"Unknown intervention kind '{spec.Kind}'.", "kind"),
    };

    /// <summary>"inputs.Interventions[2].MmPerHour" → the request's own field name, "value".</summary>
    public static string RequestField(string? simulationField)
    {
        var path = simulationField ?? "";
        return path switch
        {
            _ when path.Contains("Origin", StringComparison.Ordinal) => "originDistrictId",
            _ when path.Contains("Destination", StringComparison.Ordinal) => "destinationDistrictId",
            _ when path.EndsWith("SegmentId", StringComparison.Ordinal) => "segmentId",
            _ when path.EndsWith("DistrictId", StringComparison.Ordinal) => "districtId",
            _ when path.EndsWith("StartMinute", StringComparison.Ordinal) => "startMinute",
            _ when path.EndsWith("EndMinute", StringComparison.Ordinal) => "endMinute",
            _ => "value",
        };
    }

    private static DemandEnd End(string? districtId) => districtId is null ? DemandEnd.City : DemandEnd.District(districtId);
}
