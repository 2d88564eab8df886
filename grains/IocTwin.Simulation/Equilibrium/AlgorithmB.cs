using System.Numerics;

namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// Static user-equilibrium assignment by Algorithm B (Dial 2006), a bush-based method: each origin keeps its flow on
/// a bush, an acyclic subnetwork rooted at the origin; within the bush, flow moves from the longest used path to the
/// shortest one at every node by Newton steps on the pair of path segments where they differ, and the bush grows by
/// the links that shorten its longest paths and drops the links it no longer uses. After every origin has been visited
/// so, the flows of every bush are shifted again on the bushes as they are (<see cref="EquilibriumOptions.ShiftPasses"/>).
/// </summary>
/// <remarks>
/// Convergence is measured by the relative gap (TSTT − SPTT) / TSTT (see <see cref="EquilibriumResult"/>). Origins
/// are processed one after the other in zone order and each shift updates the link costs at once, so the sequence of
/// operations, and with it the result, does not depend on the number of cores. What runs in parallel is work whose
/// parts do not meet: the gap's shortest-path sweep (its per-origin sums combined in origin order), the warm starts of
/// bushes that lost no link (each its own bush) and the sum of the bushes into link flows (each link its own sum, in
/// origin order). The gap is measured when <see cref="GapSchedule"/>
/// expects it to have reached the requested one, not after every iteration.
/// </remarks>
public sealed partial class AlgorithmB
{
    /// <summary>
    /// Bush flow left on a link below this share of the origin's demand after a shift is rounding residue: it goes with
    /// the shift, or paths that carry nothing would stay the longest used ones and hold every later shift to nothing.
    /// </summary>
    private const double ResidueShare = 1e-12;

    /// <summary>
    /// A node's longest used path is left as it is when it costs at most this share of the requested relative gap more
    /// than its shortest: were every node so, the origin's paths would be within a tenth of the gap of their bush's
    /// shortest, so the gap stays reachable, and the walks along path pairs that hardly differ are saved.
    /// </summary>
    private const double ShiftTolerance = 0.1;

    /// <summary>Chunks the warm starts are split into (each origin's warm start is its own, so any split gives the same result).</summary>
    private const int ReloadChunks = 8;

    /// <summary>Chunks of links the bushes are summed in (each link's sum is its own, so any split gives the same result).</summary>
    private const int SumChunks = 4;

    private readonly EquilibriumNetwork _net;
    private readonly EquilibriumOptions _options;
    private double[]?[] _bushFlow = [];
    private bool[]?[] _inBush = [];
    private List<int>?[] _bushLinks = [];
    private int[]?[] _orders = [];
    private int[] _orderCounts = [];
    private readonly double[] _residue;
    private readonly double[] _flow;
    private readonly double[] _cost;
    private readonly double[] _derivative;
    private readonly int[] _queue;
    private readonly int[] _reached;
    private readonly BushVisit _visit;
    private readonly BushPathSweep _sweep;
    private readonly ParallelOptions _parallel;
    private readonly ReloadBuffers[] _reloadBuffers;
    private Bushes? _bushes;

    /// <summary>A solver for <paramref name="network"/> with its buffers, for repeated assignments on it.</summary>
    public AlgorithmB(EquilibriumNetwork network, EquilibriumOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        _net = network;
        _options = options ?? new EquilibriumOptions();
        var zones = network.ZoneCount;
        _residue = new double[zones];
        var nodes = network.NodeCount;
        var links = network.LinkCount;
        _flow = new double[links];
        _cost = new double[links];
        _derivative = new double[links];
        _queue = new int[nodes];
        _reached = new int[nodes];
        _visit = new BushVisit(this, nodes);
        _sweep = new BushPathSweep(network, _options.MaxDegreeOfParallelism);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        _reloadBuffers = new ReloadBuffers[ReloadChunks];
        for (var c = 0; c < ReloadChunks; c++)
        {
            _reloadBuffers[c] = new ReloadBuffers(nodes);
        }
    }

    /// <summary>Told the shortest-path costs from every origin at each gap measurement (the last one: at the final flows).</summary>
    internal IShortestPathObserver? ShortestPathObserver
    {
        get => _sweep.Observer;
        set => _sweep.Observer = value;
    }

    /// <summary>Assigns the demand of <paramref name="network"/> to the relative gap of <paramref name="options"/>.</summary>
    public static EquilibriumResult Solve(EquilibriumNetwork network, EquilibriumOptions? options = null) =>
        new AlgorithmB(network, options).Solve(warm: null);

    /// <summary>
    /// Assigns the network's current demand. With <paramref name="warm"/> (the bushes of an earlier assignment on this
    /// network, updated in place and returned in the result), each origin keeps its bush: links that now cost +∞
    /// (closed) leave it, and its new demand is first loaded by the splits its flows had. An origin whose bush no longer
    /// reaches all its destinations starts again, as every origin does without <paramref name="warm"/>, from its
    /// shortest paths at the costs of that loading.
    /// </summary>
    /// <param name="demandFactor">
    /// When the current demand is the warm bushes' demand with every entry scaled alike by this factor (a drift of one
    /// demand's level on the same roads), each bush that keeps its links is scaled by it: the same splits as loading it
    /// again, without walking it.
    /// </param>
    /// <param name="cancellationToken">Looked at between iterations.</param>
    public EquilibriumResult Solve(Bushes? warm, double? demandFactor = null, CancellationToken cancellationToken = default) =>
        Solve(warm, _options.MaxIterations, _options.ShiftPasses, demandFactor, cancellationToken);

    /// <summary>
    /// A bounded update: as <see cref="Solve(Bushes?, double?, CancellationToken)"/>, stopping after <paramref name="maxIterations"/> (0:
    /// the starting loading only), each iteration improving every bush and shifting its flows once, with no further
    /// shifting passes, so that each costs what its callers sized the update by.
    /// </summary>
    public EquilibriumResult Solve(Bushes? warm, int maxIterations, double? demandFactor = null, CancellationToken cancellationToken = default) =>
        Solve(warm, maxIterations, shiftPasses: 0, demandFactor, cancellationToken);

    private EquilibriumResult Solve(Bushes? warm, int maxIterations, int shiftPasses, double? demandFactor, CancellationToken cancellationToken)
    {
        var net = _net;
        var bushes = warm ?? new Bushes(net.ZoneCount);
        if (bushes.ZoneCount != net.ZoneCount)
        {
            throw new ArgumentException($"The bushes have {bushes.ZoneCount} zones, the network {net.ZoneCount}", nameof(warm));
        }
        Use(bushes);
        var gaps = new List<double>();

        // Start: kept bushes loaded with the new demand by their old splits; the other origins' demand on the shortest
        // paths at the resulting costs, which are their first bushes.
        for (var origin = 0; origin < net.ZoneCount; origin++)
        {
            var demand = 0.0;
            for (var k = net.DemandStart[origin]; k < net.DemandStart[origin + 1]; k++)
            {
                demand += net.DemandVolume[k];
            }
            _residue[origin] = ResidueShare * demand;
            if (!HasDemand(origin))
            {
                bushes.Drop(origin);
            }
        }
        for (var a = 0; a < net.LinkCount; a++)
        {
            _cost[a] = net.Cost(a, 0);
        }
        var cold = ReloadAll(warm is null ? null : demandFactor);
        for (var origin = 0; origin < net.ZoneCount; origin++)
        {
            if (HasDemand(origin) && _inBush[origin] is null)
            {
                cold.Add(origin);
            }
        }
        cold.Sort();
        foreach (var origin in cold)
        {
            bushes.Drop(origin);
        }
        SumBushes();
        for (var a = 0; a < net.LinkCount; a++)
        {
            _cost[a] = net.Cost(a, _flow[a]);
        }
        var tree = new ShortestPathTree(net);
        foreach (var origin in cold)
        {
            tree.Build(origin, _cost);
            tree.DemandCost(origin); // throws when a destination has no path
            var inBush = _inBush[origin] = new bool[net.LinkCount];
            var links = _bushLinks[origin] = new List<int>(tree.SettledCount);
            for (var i = 1; i < tree.SettledCount; i++)
            {
                var a = tree.PredecessorLink[tree.SettleOrder[i]];
                inBush[a] = true;
                links.Add(a);
            }
            tree.LoadDemand(origin, _bushFlow[origin] = new double[net.LinkCount]);
        }

        // A warm start is measured only after its first iteration: demand that moved since the last assignment almost
        // always leaves it above the gap, and a measurement costs as much as an iteration.
        var schedule = new GapSchedule(_options.RelativeGap);
        double gap = double.PositiveInfinity, tstt = 0, sptt = 0;
        if (warm is null || maxIterations == 0)
        {
            (gap, tstt, sptt) = Measure();
            gaps.Add(gap);
            schedule.Measured(0, gap);
        }
        else
        {
            Refresh();
        }
        var iterations = 0;
        while (gap > _options.RelativeGap && iterations < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            VisitAll();
            for (var pass = 0; pass < shiftPasses; pass++)
            {
                ShiftAll();
            }
            iterations++;
            if (schedule.IsDue(iterations, maxIterations))
            {
                (gap, tstt, sptt) = Measure();
                gaps.Add(gap);
                schedule.Measured(iterations, gap);
            }
            else
            {
                Refresh();
            }
        }
        return new EquilibriumResult((double[])_flow.Clone(), (double[])_cost.Clone(), gap, iterations, tstt, sptt, gaps) { Bushes = bushes };
    }

    /// <summary>Every origin in turn: its bush improved, then its flows shifted.</summary>
    private void VisitAll()
    {
        for (var origin = 0; origin < _net.ZoneCount; origin++)
        {
            if (HasDemand(origin))
            {
                _visit.WarmUp(origin);
                _visit.Improve(origin);
                // One flow-shifting pass a visit: a second one before the bush is looked at again hardly saved iterations
                // (Chicago Sketch 9 either way, the 10,000-segment scenario hour 99 against 101) and costs a labelling.
                _visit.ShiftFlows(origin);
            }
        }
    }

    /// <summary>Every origin in turn: its flows shifted again on its bush as it is (see <see cref="EquilibriumOptions.ShiftPasses"/>).</summary>
    private void ShiftAll()
    {
        for (var origin = 0; origin < _net.ZoneCount; origin++)
        {
            if (HasDemand(origin))
            {
                _visit.WarmUp(origin);
                _visit.ShiftAgain(origin);
            }
        }
    }

    /// <summary>Reads one element per 64-byte cache line of a bush; the sum only keeps the reads from being left out.</summary>
    private static double WarmUp(double[] bush, bool[] inBush)
    {
        var sum = 0.0;
        for (var a = 0; a < bush.Length; a += 8)
        {
            sum += bush[a];
        }
        for (var a = 0; a < inBush.Length; a += 64)
        {
            sum += inBush[a] ? 1 : 0;
        }
        return sum;
    }

    /// <summary>The relative gap this solver iterates to.</summary>
    public double RequestedGap => _options.RelativeGap;

    private bool HasDemand(int origin) => _net.DemandStart[origin] < _net.DemandStart[origin + 1];

    /// <summary>Link flows as the sum of the bushes, each link's in origin order, in fixed chunks of links run in parallel.</summary>
    private void SumBushes() => FixedChunks.Run(SumChunks, _parallel, SumBushes);

    private void SumBushes(int chunk)
    {
        var (first, last) = FixedChunks.Range(chunk, SumChunks, _flow.Length);
        var flow = _flow.AsSpan(first, last - first);
        flow.Clear();
        var width = Vector<double>.Count;
        foreach (var bushFlow in _bushFlow)
        {
            if (bushFlow is null)
            {
                continue;
            }
            var bush = bushFlow.AsSpan(first, last - first);
            var a = 0;
            for (; a <= flow.Length - width; a += width)
            {
                (new Vector<double>(flow[a..]) + new Vector<double>(bush[a..])).CopyTo(flow[a..]);
            }
            for (; a < flow.Length; a++)
            {
                flow[a] += bush[a];
            }
        }
    }

    /// <summary>Link flows as the sum of the bushes in origin order (no drift from the shifts), their costs and the gap.</summary>
    private (double Gap, double Tstt, double Sptt) Measure()
    {
        SumBushes();
        var tstt = RelativeGap.CostsAndTstt(_net, _flow, _cost);
        // The shortest paths start from the bushes, which hold nearly all of them (see BushPathSweep).
        var sptt = _sweep.Run(_bushes!, _cost);
        Derivatives();
        return (RelativeGap.Of(tstt, sptt), tstt, sptt);
    }

    /// <summary>As <see cref="Measure"/> without the gap: flows summed again, their costs and slopes.</summary>
    private void Refresh()
    {
        SumBushes();
        for (var a = 0; a < _flow.Length; a++)
        {
            _cost[a] = _net.Cost(a, _flow[a]);
        }
        Derivatives();
    }

    private void Derivatives()
    {
        for (var a = 0; a < _flow.Length; a++)
        {
            _derivative[a] = _net.CostDerivative(a, _flow[a]);
        }
    }

    /// <summary>Works on <paramref name="bushes"/>: their links, flows and kept topological orders.</summary>
    private void Use(Bushes bushes)
    {
        _bushes = bushes;
        _bushFlow = bushes.Flow;
        _inBush = bushes.InBush;
        _bushLinks = bushes.Links;
        _orders = bushes.Order;
        _orderCounts = bushes.OrderCount;
    }
}
