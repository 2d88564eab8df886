using IocTwin.Simulation.Equilibrium;

namespace IocTwin.Simulation;

/// <summary>
/// The equilibrium routes of a network's usual demand with no intervention, at one demand level: Algorithm B's bushes,
/// rooted at the destination connectors, on the roads as registered, to the run's convergence gap. The same for every
/// scenario on the network that starts at about that level, so each run's first assignment starts from a copy of them
/// (closed links taken out, its own demand loaded by their splits) instead of from shortest paths: a few iterations
/// for what the scenario changes instead of dozens. Built once per network, options and level, and kept as the
/// calibrated demand is.
/// </summary>
internal sealed class BaselineRoutes
{
    /// <summary>
    /// Demand levels are rounded to this step (a share of the peak hour): a run starting between two levels starts from
    /// the nearer one's routes and converges from there, so a handful of route sets serve every time of day.
    /// </summary>
    public const double LevelStep = 0.05;

    /// <summary>Route sets kept per network; each holds a bush per connector over the whole network.</summary>
    public const int KeptPerNetwork = 2;

    private readonly Dictionary<int, int> _rootOfNode;
    private readonly Bushes _bushes;

    private BaselineRoutes(int[] rootNodes, Bushes bushes, EquilibriumRecord record)
    {
        _rootOfNode = new Dictionary<int, int>(rootNodes.Length);
        for (var r = 0; r < rootNodes.Length; r++)
        {
            _rootOfNode[rootNodes[r]] = r;
        }
        _bushes = bushes;
        Record = record;
    }

    /// <summary>How the routes were reached: iterations and gap.</summary>
    public EquilibriumRecord Record { get; }

    /// <summary>The demand level a run starts from: its scale of the usual demand, rounded to <see cref="LevelStep"/>.</summary>
    public static double LevelOf(double scale) => Math.Max(LevelStep, Math.Round(scale / LevelStep) * LevelStep);

    /// <summary>Assigns the usual demand of <paramref name="baseline"/> at <paramref name="level"/> on the network as registered.</summary>
    public static BaselineRoutes Build(RoadNetwork network, BaselineDemand baseline, SimulationOptions options, double level)
    {
        var districts = network.DistrictCount;
        var zones = baseline.Zones;
        var engine = new AssignmentEngine(network, zones, [new OdComponent(zones.Count, BaselineDemand.Entries(baseline.PeakTripsPerHourMatrix, districts))], options);
        var links = network.LinkCount;
        Span<double> scale = [level];
        var (iterations, gap, _) = engine.Equilibrate(LinkConditions.AsRegistered(network, options), scale, fromScratch: true,
            new double[links], new double[links]);
        var (roots, bushes) = engine.Routes;
        return new BaselineRoutes(roots, bushes, new EquilibriumRecord(iterations, gap));
    }

    /// <summary>
    /// A copy of the bushes for a run whose connectors are <paramref name="rootNodes"/> (road network nodes, in its
    /// root order): each connector these routes know gets a copy of its bush, any other none (it starts from its
    /// shortest paths).
    /// </summary>
    public Bushes CopyFor(int[] rootNodes)
    {
        var copy = new Bushes(rootNodes.Length);
        for (var r = 0; r < rootNodes.Length; r++)
        {
            if (_rootOfNode.TryGetValue(rootNodes[r], out var source) && _bushes.Has(source))
            {
                copy.CopyFrom(_bushes, source, r);
            }
        }
        return copy;
    }
}

/// <summary>Iterations an assignment used and the relative gap it reached.</summary>
internal readonly record struct EquilibriumRecord(int Iterations, double Gap);
