using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>What a run produced: a time series of KPIs, the state at the end, and totals over the run.</summary>
public sealed record SimulationResult
{
    public required string NetworkId { get; init; }

    public required TimeSpan StartTimeOfDay { get; init; }

    public required double HorizonMinutes { get; init; }

    public required double StepSeconds { get; init; }

    /// <summary>KPIs of every step, in order.</summary>
    public required IReadOnlyList<StepKpis> Steps { get; init; }

    /// <summary>KPIs of the whole network over the run.</summary>
    public required RunKpis Network { get; init; }

    /// <summary>KPIs of each district over the run, in the network's district order.</summary>
    public required IReadOnlyList<DistrictResult> Districts { get; init; }

    /// <summary>Each segment at the end of the run, and its totals over the run, in the network's segment order.</summary>
    public required IReadOnlyList<SegmentResult> Segments { get; init; }

    /// <summary>Trips between districts (pairs with any trips), origin-major.</summary>
    public required IReadOnlyList<OdResult> OdPairs { get; init; }

    /// <summary>Where every trip of the run is at the end.</summary>
    public required TripBalance Trips { get; init; }

    /// <summary>Segments closed at the end: by an intervention, as registered, or by a full-capacity incident.</summary>
    public required IReadOnlyList<string> ClosedSegmentIds { get; init; }

    /// <summary>Segments under flood water at the end.</summary>
    public required IReadOnlyList<string> FloodedSegmentIds { get; init; }

    /// <summary>Segments that were flooded at any time during the run.</summary>
    public required IReadOnlyList<string> EverFloodedSegmentIds { get; init; }

    /// <summary>Parameters of the baseline demand the run used.</summary>
    public required double BaselinePeakTripsPerHour { get; init; }

    /// <summary>How traffic moved in the run.</summary>
    public TrafficModel Model { get; init; } = TrafficModel.Static;

    /// <summary>The queues of a run with dynamic loading; null for the static model, which has none.</summary>
    public QueueReport? Queues { get; init; }

    /// <summary>Every traffic assignment of the run, in order: when, why, the iterations it took and the gap it reached.</summary>
    public IReadOnlyList<AssignmentRecord> Assignments { get; init; } = [];

    public DistrictResult District(string districtId) =>
        Districts.FirstOrDefault(d => d.DistrictId == districtId) ?? throw new ArgumentException($"Unknown district '{districtId}'.", nameof(districtId));

    public SegmentResult Segment(string segmentId) =>
        Segments.FirstOrDefault(s => s.SegmentId == segmentId) ?? throw new ArgumentException($"Unknown segment '{segmentId}'.", nameof(segmentId));

    /// <summary>Trips from one district to another, or null when there were none.</summary>
    public OdResult? Od(string originDistrictId, string destinationDistrictId) =>
        OdPairs.FirstOrDefault(p => p.OriginDistrictId == originDistrictId && p.DestinationDistrictId == destinationDistrictId);
}

/// <summary>
/// KPIs of one step. Speeds are distance-weighted over open links; delay is vehicle-hours beyond free-flow travel
/// time at the registered speed; congested km counts each segment's length once, when either direction is congested;
/// stranded vehicle-hours are the time that trips whose route was cut spent waiting during the step.
/// </summary>
public sealed record StepKpis(
    int Step,
    double Minute,
    TimeSpan TimeOfDay,
    double MeanSpeedKmh,
    double DelayVehHours,
    double CumulativeDelayVehHours,
    double CongestedKm,
    double VehicleKm,
    double DemandTripsPerHour,
    int ClosedSegments,
    int FloodedSegments,
    double MaxWaterDepthM,
    double StrandedVehHours,
    bool Rerouted,
    TripBalance Trips,
    IReadOnlyList<DistrictStepKpis> Districts);

public sealed record DistrictStepKpis(
    string DistrictId,
    double MeanSpeedKmh,
    double DelayVehHours,
    double CongestedKm,
    double WaterDepthM,
    int FloodedSegments);

public sealed record DistrictResult(
    string DistrictId,
    string Name,
    double MeanSpeedKmh,
    double DelayVehHours,
    double VehicleKm,
    double MeanCongestedKm,
    double MaxCongestedKm,
    double FinalMeanSpeedKmh,
    double FinalCongestedKm,
    double MaxWaterDepthM,
    double FinalWaterDepthM,
    int MaxFloodedSegments);

/// <summary>
/// A segment at the end of the run (flows of both directions added; speed, v/c and LOS of its worse direction;
/// LOS null while closed) and its totals over the run.
/// </summary>
public sealed record SegmentResult(
    string SegmentId,
    string Name,
    string DistrictId,
    SegmentStatus Status,
    double FlowVph,
    double ForwardFlowVph,
    double BackwardFlowVph,
    double SpeedKmh,
    double VolumeToCapacity,
    LevelOfService? Los,
    double MeanFlowVph,
    double DelayVehHours,
    double WaterDepthM,
    double MaxWaterDepthM);

/// <summary>
/// Trips from one district to another over the run. Travel times are those expected at departure on the routes of
/// the moment, averaged over the trips that found a route (0 when none did); free-flow time is on the network as
/// registered, so a detour counts as delay.
/// </summary>
public sealed record OdResult(
    string OriginDistrictId,
    string DestinationDistrictId,
    double Trips,
    double UnreachableTrips,
    double MeanTravelTimeMin,
    double FreeFlowTravelTimeMin,
    double DelayVehHours);

/// <summary>Reported after every step.</summary>
public sealed record SimulationProgress(int Step, int TotalSteps, StepKpis Kpis)
{
    public double Fraction => (Step + 1) / (double)TotalSteps;
}
