namespace IocTwin.Simulation;

/// <summary>
/// The usual peak-hour demand between districts: a gravity model, calibrated on the network so that roads sit at
/// realistic volume/capacity ratios in the peak. Deterministic: the same network and options give the same matrix.
/// </summary>
/// <remarks>
/// <para>Each district produces and attracts trips in proportion to its road supply, the sum of the capacities of its
/// open segments. Trips from district o to d are o's production shared among destinations by supply × e^(-β·t),
/// t the free-flow travel time between them; the matrix is then made symmetric (as many trips each way over the day).
/// Trips inside a district run between its connector nodes.</para>
/// <para>The matrix is scaled so that, after assignment of the peak hour, about <see cref="SimulationOptions.PeakCalibrationPercentile"/>
/// of the open road length (links weighted by length) is at or below <see cref="SimulationOptions.PeakVolumeToCapacity"/>:
/// one all-or-nothing loading at free-flow times gives a first scale, one equilibrium at that scale corrects it. At other times of day
/// it is multiplied by the demand profile.</para>
/// </remarks>
public sealed class BaselineDemand
{
    /// <summary>Rounds of equilibrium assignment after a first all-or-nothing estimate at free-flow times.</summary>
    private const int CalibrationRounds = 1;

    /// <summary>Algorithm B iterations of each calibration round after the first (the scenario runs iterate to their gap).</summary>
    private const int CalibrationIterations = 10;

    /// <summary>
    /// The relative gap a calibration round stops at: the scale follows a percentile of v/c, which moves by far less
    /// than the calibration's own tolerance between this gap and the scenario runs' tight one.
    /// </summary>
    private const double CalibrationGap = 1e-2;

    private BaselineDemand(RoadNetwork network, ZoneSet zones, double[] peak, double[] freeFlow, double scale)
    {
        Network = network;
        Zones = zones;
        PeakTripsPerHourMatrix = peak;
        FreeFlowMinutesMatrix = freeFlow;
        CalibrationScale = scale;
    }

    public RoadNetwork Network { get; }

    internal ZoneSet Zones { get; }

    /// <summary>District × district peak-hour trips (origin × districts + destination).</summary>
    internal double[] PeakTripsPerHourMatrix { get; }

    /// <summary>District × district free-flow travel time, minutes, on the network as registered; +∞ when unreachable.</summary>
    internal double[] FreeFlowMinutesMatrix { get; }

    /// <summary>Trips per hour per unit of road supply that the calibration settled on.</summary>
    public double CalibrationScale { get; }

    public double PeakTripsPerHour => PeakTripsPerHourMatrix.Sum();

    /// <summary>The calibrated baseline for a network, as <see cref="Simulator.Run"/> uses it (built once per network and options).</summary>
    public static BaselineDemand For(RoadNetwork network, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= SimulationOptions.Default;
        options.Validate();
        return network.GetBaseline(options);
    }

    public double PeakTripsPerHourBetween(string originDistrictId, string destinationDistrictId)
    {
        var o = Network.DistrictIndex(originDistrictId);
        var d = Network.DistrictIndex(destinationDistrictId);
        return PeakTripsPerHourMatrix[o * Network.DistrictCount + d];
    }

    public double FreeFlowMinutesBetween(string originDistrictId, string destinationDistrictId)
    {
        var o = Network.DistrictIndex(originDistrictId);
        var d = Network.DistrictIndex(destinationDistrictId);
        return FreeFlowMinutesMatrix[o * Network.DistrictCount + d];
    }

    internal static BaselineDemand Build(RoadNetwork network, SimulationOptions options)
    {
        var districts = network.DistrictCount;
        var zones = ZoneSet.Create(ZoneSet.Districts(network, options.ConnectorsFor(districts)));
        var registered = LinkConditions.AsRegistered(network, options);
        var links = network.LinkCount;
        var total = new double[links];
        var cost = new double[links];

        // Free-flow times between districts.
        var times = new AssignmentEngine(network, zones, [], options);
        registered.ComputeCosts(total, cost);
        times.GatherTimes(cost);
        var freeFlow = (double[])times.OdMinutes.Clone();

        // Road supply per district.
        var supply = new double[districts];
        for (var s = 0; s < network.SegmentCount; s++)
        {
            var forward = network.SegmentForwardLink[s];
            if (registered.Available[forward])
            {
                supply[network.SegmentDistrictArray[s]] += network.SegmentArray[s].CapacityVph;
            }
        }

        // Production-constrained gravity model, then symmetric.
        var gravity = new double[districts * districts];
        for (var o = 0; o < districts; o++)
        {
            if (!zones.HasConnectors(o) || supply[o] == 0)
            {
                continue;
            }
            double attraction = 0;
            for (var d = 0; d < districts; d++)
            {
                attraction += Attraction(o, d);
            }
            if (attraction == 0)
            {
                continue;
            }
            for (var d = 0; d < districts; d++)
            {
                gravity[o * districts + d] += 0.5 * supply[o] * Attraction(o, d) / attraction;
                gravity[d * districts + o] += 0.5 * supply[o] * Attraction(o, d) / attraction;
            }
        }

        double Attraction(int o, int d)
        {
            var t = freeFlow[o * districts + d];
            var usable = zones.HasConnectors(d) && double.IsFinite(t) && (o != d || zones.IntraNorm[o] > 0);
            return usable ? supply[d] * Math.Exp(-options.GravityBetaPerMinute * t) : 0;
        }

        // Calibrate the scale on the peak hour.
        var scale = 1.0;
        if (gravity.Any(v => v > 0))
        {
            var engine = new AssignmentEngine(network, zones, [new OdComponent(districts, Entries(gravity, districts))],
                options with { ConvergenceGap = Math.Max(options.ConvergenceGap, CalibrationGap) });
            Span<double> scales = stackalloc double[1];
            var ratios = new List<(double Ratio, double Length)>(links);
            for (var round = 0; round <= CalibrationRounds; round++)
            {
                scales[0] = scale;
                // First a loading on free-flow shortest paths, then flows near equilibrium from the bushes of the round
                // before: the scale follows a percentile of v/c, which needs no tight gap, and the gravity model's raw
                // scale may put every road past capacity, where the equilibrium is slow to reach.
                engine.Equilibrate(registered, scales, fromScratch: round == 0, total, cost, maxIterations: round == 0 ? 0 : CalibrationIterations);
                ratios.Clear();
                for (var a = 0; a < links; a++)
                {
                    if (registered.Available[a])
                    {
                        ratios.Add((scale * engine.Flow[0][a] / registered.CapacityVph[a], network.LinkLengthKmArray[a]));
                    }
                }
                var observed = WeightedPercentile(ratios, options.PeakCalibrationPercentile);
                if (!(observed > 0))
                {
                    break;
                }
                scale *= options.PeakVolumeToCapacity / observed;
            }
        }
        for (var p = 0; p < gravity.Length; p++)
        {
            gravity[p] *= scale;
        }
        return new BaselineDemand(network, zones, gravity, freeFlow, scale);
    }

    internal static IEnumerable<(int Origin, int Destination, double Rate)> Entries(double[] matrix, int zones)
    {
        for (var o = 0; o < zones; o++)
        {
            for (var d = 0; d < zones; d++)
            {
                var rate = matrix[o * zones + d];
                if (rate > 0)
                {
                    yield return (o, d, rate);
                }
            }
        }
    }

    private static double WeightedPercentile(List<(double Ratio, double Length)> values, double percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        values.Sort((a, b) => a.Ratio.CompareTo(b.Ratio));
        var total = values.Sum(v => v.Length);
        var target = percentile * total;
        double run = 0;
        foreach (var (ratio, length) in values)
        {
            run += length;
            if (run >= target)
            {
                return ratio;
            }
        }
        return values[^1].Ratio;
    }
}
