using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// What a run simulates: when the day starts, how much of the usual demand there is, and what operators change.
/// </summary>
/// <remarks>Times of interventions are minutes from the start of the run.</remarks>
public sealed record ScenarioInputs
{
    /// <summary>The usual day with nothing changed, starting at 07:00.</summary>
    public static ScenarioInputs Baseline { get; } = new();

    /// <summary>Time of day at minute 0 of the run; the demand follows <see cref="SimulationOptions.DemandProfile"/>.</summary>
    public TimeSpan StartTimeOfDay { get; init; } = TimeSpan.FromHours(7);

    /// <summary>Multiplier on the usual (baseline) demand: 1 is a normal day, 0 leaves only added demand.</summary>
    public double BaselineDemandScale { get; init; } = 1;

    /// <summary>How traffic moves: the quasi-static assignment (the default) or dynamic loading with queues that spill back.</summary>
    public TrafficModel Model { get; init; } = TrafficModel.Static;

    /// <summary>Changes applied in list order; where two set the same value of a segment, the later one wins.</summary>
    public IReadOnlyList<Intervention> Interventions { get; init; } = [];

    /// <summary>The same day and demand with no interventions: the baseline to compare this scenario with.</summary>
    public ScenarioInputs WithoutInterventions() => this with { Interventions = [] };
}

/// <summary>
/// A change to the city over a window of the run, [<see cref="StartMinute"/>, <see cref="EndMinute"/>) in minutes
/// from its start; a null end means until the end of the run. The window must start within the run; the part of it
/// after the end of the run is not simulated (added trips are spread over the whole window all the same).
/// </summary>
public abstract record Intervention(double StartMinute = 0, double? EndMinute = null);

/// <summary>Close a segment to traffic in both directions.</summary>
public sealed record CloseSegment(string SegmentId, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>Open a segment that the city registers as closed or flooded. Water deeper than the flood depth still closes it.</summary>
public sealed record ReopenSegment(string SegmentId, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>Give a segment a new capacity, both directions together (as <c>SegmentSpec.CapacityVph</c>).</summary>
public sealed record ChangeCapacity(string SegmentId, double CapacityVph, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>Give a segment a new speed limit, which becomes its free-flow speed.</summary>
public sealed record ChangeSpeedLimit(string SegmentId, double SpeedKmh, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>
/// An incident removing a share of a segment's capacity in both directions (0.5 = one lane of two blocked);
/// a share of 1 blocks the segment.
/// </summary>
public sealed record Incident(string SegmentId, double CapacityReduction, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>Rain on a district at a steady rate; 80 mm/h over a 60-minute window is 80 mm of rain.</summary>
public sealed record Rainfall(string DistrictId, double MmPerHour, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>
/// Extra trips from <see cref="Origin"/> to <see cref="Destination"/>, departing evenly over the window: an event,
/// a festival, an evacuation. <see cref="Trips"/> is the total over the window, in vehicles.
/// </summary>
public sealed record AddDemand(DemandEnd Origin, DemandEnd Destination, double Trips, double StartMinute = 0, double? EndMinute = null)
    : Intervention(StartMinute, EndMinute);

/// <summary>Where added trips start or end.</summary>
/// <remarks>
/// A district spreads its trips over its zone connectors like the usual demand; a node set spreads them evenly over
/// its nodes; the whole city spreads them over every district in proportion to its usual trips.
/// </remarks>
public sealed record DemandEnd
{
    public const int MaxNodes = 256;

    /// <summary>Every district, in proportion to its usual trips.</summary>
    public static DemandEnd City { get; } = new();

    public string? DistrictId { get; init; }

    public IReadOnlyList<string>? NodeIds { get; init; }

    public static DemandEnd District(string districtId) => new() { DistrictId = districtId };

    public static DemandEnd Nodes(params IReadOnlyList<string> nodeIds) => new() { NodeIds = nodeIds };

    public bool IsCity => DistrictId is null && NodeIds is null;
}
