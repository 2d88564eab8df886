namespace IocTwin.Simulation;

/// <summary>Model parameters. The defaults suit a city of Đà Nẵng's kind; every run with the same options is reproducible.</summary>
public sealed record SimulationOptions
{
    public static SimulationOptions Default { get; } = new();

    // ---------------------------------------------------------------- demand

    /// <summary>
    /// Most nodes of a district that its trips end at (its zone connectors): the nodes with the most road capacity,
    /// each taking a share of the trips in proportion to that capacity. Trips start at all of a district's nodes, in
    /// proportion to their capacity. Routing costs one shortest-path tree per connector.
    /// </summary>
    public int ConnectorsPerDistrict { get; init; } = 8;

    /// <summary>
    /// Most connectors in the whole city: with many districts, each gets fewer (at least one), which bounds the
    /// routing work of large cities.
    /// </summary>
    public int MaxConnectors { get; init; } = 400;

    internal int ConnectorsFor(int districts) =>
        Math.Max(1, Math.Min(ConnectorsPerDistrict, MaxConnectors / Math.Max(1, districts)));

    /// <summary>Gravity-model deterrence per minute of free-flow travel time: trips fall by e^(-β·minutes).</summary>
    public double GravityBetaPerMinute { get; init; } = 0.08;

    /// <summary>
    /// The usual demand is scaled so that, in the peak hour, this share of road length (open links, weighted by length)
    /// runs at or below <see cref="PeakVolumeToCapacity"/>.
    /// </summary>
    public double PeakCalibrationPercentile { get; init; } = 0.9;

    /// <summary>Volume/capacity ratio that <see cref="PeakCalibrationPercentile"/> of the road length keeps to in the peak hour.</summary>
    public double PeakVolumeToCapacity { get; init; } = 0.9;

    /// <summary>
    /// Demand by hour of day (24 values, 00:00 first) relative to the hour the baseline is calibrated on (1 = peak);
    /// values are interpolated between the middles of the hours. Null uses <see cref="DefaultDemandProfile"/>.
    /// </summary>
    public IReadOnlyList<double>? DemandProfile { get; init; }

    /// <summary>A weekday in a Vietnamese city: peaks 07:00–08:00 and 17:00–18:00.</summary>
    public static IReadOnlyList<double> DefaultDemandProfile { get; } =
    [
        0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.65, 1.00, 0.85, 0.65, 0.60, 0.65,
        0.55, 0.55, 0.60, 0.70, 0.85, 1.00, 0.90, 0.70, 0.55, 0.40, 0.25, 0.15,
    ];

    // ---------------------------------------------------------------- assignment

    /// <summary>Routes are recomputed at least this often; also whenever a closure, capacity or speed changes.</summary>
    public double RerouteEveryMinutes { get; init; } = 5;

    /// <summary>
    /// Algorithm B iterations of a re-route for the drift of demand alone (every <see cref="RerouteEveryMinutes"/> with
    /// nothing else changed): it carries on from the bushes before, so the routes follow the demand without a fresh
    /// equilibrium each time; its gap is still measured and reported, and it counts as converged only when at or below
    /// <see cref="ConvergenceGap"/>. Null iterates those to the gap too. The start and every change (a closure, a
    /// reopening, added demand, capacity, speed or rain) always iterate to the gap.
    /// </summary>
    public int? RerouteIterations { get; init; } = 1;

    /// <summary>
    /// Each assignment iterates until the relative gap (TSTT − SPTT) / TSTT, the travel time spent beyond shortest
    /// paths, is at or below this.
    /// </summary>
    public double ConvergenceGap { get; init; } = 1e-4;

    /// <summary>A safety limit: an assignment stops after this many Algorithm B iterations whatever its gap (and says so).</summary>
    public int AssignmentIterationLimit { get; init; } = 200;

    /// <summary>BPR volume-delay α and β: travel time = free-flow time × (1 + α (v/c)^β).</summary>
    public double BprAlpha { get; init; } = 0.15;

    public double BprBeta { get; init; } = 4;

    /// <summary>Slowest a moving link gets, however far over capacity.</summary>
    public double MinSpeedKmh { get; init; } = 3;

    // ---------------------------------------------------------------- dynamic loading (TrafficModel.Dynamic)

    /// <summary>Longest sub-step of the link transmission model; a step is split into equal sub-steps no longer than this.</summary>
    public double DynamicSubstepSeconds { get; init; } = 5;

    /// <summary>Vehicles per km of lane at a standstill; with a link's lanes and length it gives the queue the link can hold.</summary>
    public double JamDensityPerLaneKm { get; init; } = 150;

    // ---------------------------------------------------------------- rain and flooding

    /// <summary>Water on a segment deeper than this floods it; it opens again once the water is shallower.</summary>
    public double FloodDepthM { get; init; } = Domain.SegmentTrafficModel.FloodDepthM;

    /// <summary>Rain the drains of a district carry away, in mm/h; only rain beyond it ponds.</summary>
    public double DrainageMmPerHour { get; init; } = 30;

    /// <summary>
    /// Metres of water on the streets per metre of rain not drained: runoff from roofs and yards gathers on the
    /// roads, so street water rises faster than the rain. Drained water leaves at the same rate.
    /// </summary>
    public double RunoffConcentration { get; init; } = 5;

    /// <summary>Capacity and free-flow speed lost in heavy rain (reached at <see cref="HeavyRainMmPerHour"/>, less in lighter rain).</summary>
    public double RainCapacityLoss { get; init; } = 0.15;

    public double RainSpeedLoss { get; init; } = 0.10;

    public double HeavyRainMmPerHour { get; init; } = 20;

    /// <summary>Share of free-flow speed lost to standing water just below the flood depth (less in shallower water).</summary>
    public double WadingSpeedLoss { get; init; } = 0.5;

    // ---------------------------------------------------------------- trips and KPIs

    /// <summary>
    /// A link is congested at this volume/capacity ratio or above, or at <see cref="CongestedSpeedRatio"/> of its
    /// free-flow speed or below.
    /// </summary>
    public double CongestedVolumeToCapacity { get; init; } = 0.9;

    public double CongestedSpeedRatio { get; init; } = 0.4;

    /// <summary>Capacity kept by a segment registered with an incident, until reopened.</summary>
    public double RegisteredIncidentCapacityShare { get; init; } = 0.5;

    /// <summary>
    /// Cores the routing's parallel parts may use (warm starts, sums, shortest-path sweeps); results do not depend on it.
    /// Null uses all. A run's routes are worked out on a thread of their own beside its loading whatever the number.
    /// </summary>
    public int? MaxDegreeOfParallelism { get; init; }

    internal void Validate()
    {
        static void Check(bool ok, string field, string rule)
        {
            if (!ok)
            {
                throw new ArgumentException($"Option {field} {rule}.", "options." + field);
            }
        }

        Check(ConnectorsPerDistrict is >= 1 and <= 256, nameof(ConnectorsPerDistrict), "must be 1 to 256");
        Check(MaxConnectors is >= 1 and <= 100_000, nameof(MaxConnectors), "must be 1 to 100,000");
        Check(GravityBetaPerMinute is >= 0 and <= 10, nameof(GravityBetaPerMinute), "must be 0 to 10");
        Check(PeakCalibrationPercentile is > 0 and < 1, nameof(PeakCalibrationPercentile), "must be between 0 and 1");
        Check(PeakVolumeToCapacity is > 0 and <= 5, nameof(PeakVolumeToCapacity), "must be more than 0 and at most 5");
        Check(DemandProfile is null || (DemandProfile.Count == 24 && DemandProfile.All(v => v is >= 0 and <= 100)),
            nameof(DemandProfile), "must have 24 values from 0 to 100");
        Check(RerouteEveryMinutes is > 0 and <= 1440, nameof(RerouteEveryMinutes), "must be more than 0 and at most 1440");
        Check(ConvergenceGap is > 0 and < 1, nameof(ConvergenceGap), "must be more than 0 and less than 1");
        Check(AssignmentIterationLimit is >= 1 and <= 10_000, nameof(AssignmentIterationLimit), "must be 1 to 10,000");
        Check(RerouteIterations is null or (>= 1 and <= 10_000), nameof(RerouteIterations), "must be 1 to 10,000");
        Check(BprAlpha is >= 0 and <= 10, nameof(BprAlpha), "must be 0 to 10");
        Check(BprBeta is >= 1 and <= 10, nameof(BprBeta), "must be 1 to 10");
        Check(MinSpeedKmh is > 0 and <= 50, nameof(MinSpeedKmh), "must be more than 0 and at most 50");
        Check(DynamicSubstepSeconds is >= 0.5 and <= 60, nameof(DynamicSubstepSeconds), "must be 0.5 to 60");
        Check(JamDensityPerLaneKm is >= 50 and <= 1000, nameof(JamDensityPerLaneKm), "must be 50 to 1000");
        Check(FloodDepthM is > 0 and <= 10, nameof(FloodDepthM), "must be more than 0 and at most 10");
        Check(DrainageMmPerHour is >= 0 and <= 1000, nameof(DrainageMmPerHour), "must be 0 to 1000");
        Check(RunoffConcentration is > 0 and <= 100, nameof(RunoffConcentration), "must be more than 0 and at most 100");
        Check(RainCapacityLoss is >= 0 and < 1, nameof(RainCapacityLoss), "must be at least 0 and under 1");
        Check(RainSpeedLoss is >= 0 and < 1, nameof(RainSpeedLoss), "must be at least 0 and under 1");
        Check(HeavyRainMmPerHour is > 0 and <= 1000, nameof(HeavyRainMmPerHour), "must be more than 0 and at most 1000");
        Check(WadingSpeedLoss is >= 0 and < 1, nameof(WadingSpeedLoss), "must be at least 0 and under 1");
        Check(CongestedVolumeToCapacity is > 0 and <= 10, nameof(CongestedVolumeToCapacity), "must be more than 0 and at most 10");
        Check(CongestedSpeedRatio is >= 0 and <= 1, nameof(CongestedSpeedRatio), "must be 0 to 1");
        Check(RegisteredIncidentCapacityShare is > 0 and <= 1, nameof(RegisteredIncidentCapacityShare), "must be more than 0 and at most 1");
        Check(MaxDegreeOfParallelism is null or >= 1, nameof(MaxDegreeOfParallelism), "must be at least 1");
    }

    internal IReadOnlyList<double> Profile => DemandProfile ?? DefaultDemandProfile;

    /// <summary>Demand relative to the peak hour at a time of day.</summary>
    public double DemandFactorAt(TimeSpan timeOfDay)
    {
        var profile = Profile;
        var hours = timeOfDay.TotalHours % 24;
        if (hours < 0)
        {
            hours += 24;
        }
        // Values sit at the middle of their hour; interpolate between neighbours, wrapping round midnight.
        var position = hours - 0.5;
        var lower = (int)Math.Floor(position);
        var t = position - lower;
        var a = profile[(lower + 24) % 24];
        var b = profile[(lower + 25) % 24];
        return a + (b - a) * t;
    }
}

/// <summary>The options that shape the baseline demand, which a network keeps once built for them.</summary>
internal readonly record struct DemandKey(int Connectors, double Beta, double Percentile, double TargetVc, double Alpha, double Beta4,
    double MinSpeed, int Iterations, double Gap, double IncidentShare)
{
    public static DemandKey Of(SimulationOptions o, int districts) => new(o.ConnectorsFor(districts), o.GravityBetaPerMinute, o.PeakCalibrationPercentile,
        o.PeakVolumeToCapacity, o.BprAlpha, o.BprBeta, o.MinSpeedKmh, o.AssignmentIterationLimit, o.ConvergenceGap, o.RegisteredIncidentCapacityShare);
}
