using System.Globalization;
using System.Text;
using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// A city's road graph laid out in flat arrays for simulation: nodes, directed links and adjacency in compressed
/// sparse row (CSR) form. Built once from a <see cref="CitySpec"/> (or segments and districts) and shared, read-only,
/// by every run.
/// </summary>
/// <remarks>
/// <para><b>Links.</b> A one-way segment gives one link, from <see cref="SegmentSpec.FromNode"/> to
/// <see cref="SegmentSpec.ToNode"/>, carrying the segment's whole <see cref="SegmentSpec.CapacityVph"/>. A two-way
/// segment gives two links, forward and backward, each carrying half of it: <see cref="SegmentSpec.CapacityVph"/> is
/// the capacity of the road, both directions together, as a traffic counter across the road would count it.</para>
/// <para><b>Nodes and districts.</b> A link belongs to its segment's district. A node belongs to the district whose
/// segments bring it the most capacity (ties go to the district listed first).</para>
/// <para><b>Flood susceptibility.</b> With no elevation data, each segment gets a fixed factor by which its district's
/// ponding depth is multiplied to give the water on that segment: 0 for bridges (they never flood), 0.5 for
/// expressways, 0.8 for ramps, 1 for arterials, 1.15 for collectors, 1.3 for local streets and 1.6 for tunnels, each
/// scaled by a stable per-segment value between 0.75 and 1.25 standing for the local lie of the land. So heavy rain
/// floods the low, minor streets of a district first.</para>
/// </remarks>
public sealed class RoadNetwork
{
    private readonly Dictionary<string, int> _nodeIndex;
    private readonly Dictionary<string, int> _segmentIndex;
    private readonly Dictionary<string, int> _districtIndex;
    private readonly Dictionary<DemandKey, BaselineDemand> _baselines = [];
    private readonly Lock _baselineLock = new();
    private readonly List<(DemandKey Key, double Level, BaselineRoutes Routes)> _baselineRoutes = [];

    // Nodes.
    internal readonly string[] NodeIdArray;
    internal readonly int[] NodeDistrictArray;
    internal readonly double[] NodeCapacityArray;
    internal readonly int[] OutStart, OutLinks, InStart, InLinks;

    // Directed links.
    internal readonly int[] LinkFromArray, LinkToArray, LinkSegmentArray, LinkDistrictArray;
    internal readonly double[] LinkLengthKmArray, LinkFreeFlowKmhArray, LinkCapacityVphArray;
    internal readonly bool[] LinkForwardArray;

    // Segments.
    internal readonly SegmentSpec[] SegmentArray;
    internal readonly int[] SegmentDistrictArray, SegmentForwardLink, SegmentBackwardLink;
    internal readonly double[] SegmentLengthKmArray, FloodFactorArray;

    internal readonly DistrictSpec[] DistrictArray;

    private RoadNetwork(string id, string name, SegmentSpec[] segments, DistrictSpec[] districts)
    {
        Id = id;
        Name = name;
        SegmentArray = segments;
        DistrictArray = districts;

        _districtIndex = new Dictionary<string, int>(districts.Length, StringComparer.Ordinal);
        for (var d = 0; d < districts.Length; d++)
        {
            var district = districts[d] ?? throw new ArgumentException($"District {d} is null.", $"districts[{d}]");
            if (string.IsNullOrEmpty(district.Id))
            {
                throw new ArgumentException($"District {d} has no id.", $"districts[{d}].Id");
            }
            if (!_districtIndex.TryAdd(district.Id, d))
            {
                throw new ArgumentException($"Duplicate district id '{district.Id}'.", $"districts[{d}].Id");
            }
        }

        // Validate segments, number nodes by first appearance and count links.
        _segmentIndex = new Dictionary<string, int>(segments.Length, StringComparer.Ordinal);
        _nodeIndex = new Dictionary<string, int>(segments.Length + 1, StringComparer.Ordinal);
        var nodeIds = new List<string>(segments.Length + 1);
        var segFrom = new int[segments.Length];
        var segTo = new int[segments.Length];
        SegmentDistrictArray = new int[segments.Length];
        SegmentLengthKmArray = new double[segments.Length];
        FloodFactorArray = new double[segments.Length];
        var linkCount = 0;
        for (var s = 0; s < segments.Length; s++)
        {
            var seg = segments[s] ?? throw new ArgumentException($"Segment {s} is null.", $"segments[{s}]");
            ValidateSegment(seg, s);
            if (!_segmentIndex.TryAdd(seg.Id, s))
            {
                throw new ArgumentException($"Duplicate segment id '{seg.Id}'.", $"segments[{s}].Id");
            }
            if (!_districtIndex.TryGetValue(seg.DistrictId, out var district))
            {
                throw new ArgumentException($"Segment '{seg.Id}' names unknown district '{seg.DistrictId}'.", $"segments[{s}].DistrictId");
            }
            segFrom[s] = NodeOf(seg.FromNode, nodeIds);
            segTo[s] = NodeOf(seg.ToNode, nodeIds);
            SegmentDistrictArray[s] = district;
            SegmentLengthKmArray[s] = seg.LengthM / 1000;
            FloodFactorArray[s] = FloodFactor(seg);
            linkCount += seg.OneWay ? 1 : 2;
        }
        NodeIdArray = nodeIds.ToArray();

        LinkFromArray = new int[linkCount];
        LinkToArray = new int[linkCount];
        LinkSegmentArray = new int[linkCount];
        LinkDistrictArray = new int[linkCount];
        LinkLengthKmArray = new double[linkCount];
        LinkFreeFlowKmhArray = new double[linkCount];
        LinkCapacityVphArray = new double[linkCount];
        LinkForwardArray = new bool[linkCount];
        SegmentForwardLink = new int[segments.Length];
        SegmentBackwardLink = new int[segments.Length];
        var l = 0;
        for (var s = 0; s < segments.Length; s++)
        {
            var seg = segments[s];
            var perDirection = seg.OneWay ? seg.CapacityVph : seg.CapacityVph / 2;
            SegmentForwardLink[s] = l;
            SetLink(l++, segFrom[s], segTo[s], s, true, perDirection);
            if (seg.OneWay)
            {
                SegmentBackwardLink[s] = -1;
            }
            else
            {
                SegmentBackwardLink[s] = l;
                SetLink(l++, segTo[s], segFrom[s], s, false, perDirection);
            }
        }

        (OutStart, OutLinks) = Csr(NodeIdArray.Length, LinkFromArray);
        (InStart, InLinks) = Csr(NodeIdArray.Length, LinkToArray);

        // Node districts: the district bringing the most capacity to the node.
        NodeDistrictArray = new int[NodeIdArray.Length];
        NodeCapacityArray = new double[NodeIdArray.Length];
        var weight = new double[districts.Length];
        var touched = new List<int>();
        for (var n = 0; n < NodeIdArray.Length; n++)
        {
            touched.Clear();
            AddIncident(n, OutStart, OutLinks, weight, touched);
            AddIncident(n, InStart, InLinks, weight, touched);
            var best = -1;
            double total = 0;
            foreach (var d in touched)
            {
                total += weight[d];
                if (best < 0 || weight[d] > weight[best] || (weight[d] == weight[best] && d < best))
                {
                    best = d;
                }
            }
            foreach (var d in touched)
            {
                weight[d] = 0;
            }
            NodeDistrictArray[n] = best;
            NodeCapacityArray[n] = total;
        }
    }

    /// <summary>The network of a city's road segments and districts (its sensors play no part).</summary>
    public static RoadNetwork FromCity(CitySpec city)
    {
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(city.Segments, "city.Segments");
        ArgumentNullException.ThrowIfNull(city.Districts, "city.Districts");
        return new RoadNetwork(city.Id, city.Name, city.Segments.ToArray(), city.Districts.ToArray());
    }

    /// <summary>The network of the given segments; every segment's district must be among <paramref name="districts"/>.</summary>
    public static RoadNetwork Create(IReadOnlyList<SegmentSpec> segments, IReadOnlyList<DistrictSpec> districts,
        string id = "network", string? name = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(id);
        return new RoadNetwork(id, name ?? id, segments.ToArray(), districts.ToArray());
    }

    public string Id { get; }

    public string Name { get; }

    public int NodeCount => NodeIdArray.Length;

    public int LinkCount => LinkFromArray.Length;

    public int SegmentCount => SegmentArray.Length;

    public int DistrictCount => DistrictArray.Length;

    public IReadOnlyList<string> NodeIds => NodeIdArray;

    public IReadOnlyList<SegmentSpec> Segments => SegmentArray;

    public IReadOnlyList<DistrictSpec> Districts => DistrictArray;

    /// <summary>Each node's district index (see <see cref="Districts"/>).</summary>
    public ReadOnlySpan<int> NodeDistrict => NodeDistrictArray;

    public ReadOnlySpan<int> LinkFrom => LinkFromArray;

    public ReadOnlySpan<int> LinkTo => LinkToArray;

    /// <summary>Each link's segment index (see <see cref="Segments"/>).</summary>
    public ReadOnlySpan<int> LinkSegment => LinkSegmentArray;

    public ReadOnlySpan<int> LinkDistrict => LinkDistrictArray;

    public ReadOnlySpan<double> LinkLengthKm => LinkLengthKmArray;

    public ReadOnlySpan<double> LinkFreeFlowSpeedKmh => LinkFreeFlowKmhArray;

    /// <summary>Capacity of each link in its own direction (see the remarks on the class for two-way segments).</summary>
    public ReadOnlySpan<double> LinkCapacityVph => LinkCapacityVphArray;

    /// <summary>Whether each link runs from its segment's FromNode to its ToNode.</summary>
    public ReadOnlySpan<bool> LinkIsForward => LinkForwardArray;

    /// <summary>CSR offsets into <see cref="OutgoingLinks"/>: node n's links are [OutgoingStart[n], OutgoingStart[n + 1]).</summary>
    public ReadOnlySpan<int> OutgoingStart => OutStart;

    public ReadOnlySpan<int> OutgoingLinks => OutLinks;

    public ReadOnlySpan<int> IncomingStart => InStart;

    public ReadOnlySpan<int> IncomingLinks => InLinks;

    /// <summary>Forward link of each segment.</summary>
    public ReadOnlySpan<int> SegmentForwardLinks => SegmentForwardLink;

    /// <summary>Backward link of each segment, -1 for a one-way segment.</summary>
    public ReadOnlySpan<int> SegmentBackwardLinks => SegmentBackwardLink;

    public ReadOnlySpan<int> SegmentDistrict => SegmentDistrictArray;

    /// <summary>Multiplier from district ponding depth to water depth on each segment (see the class remarks).</summary>
    public ReadOnlySpan<double> FloodSusceptibility => FloodFactorArray;

    public bool TryGetNodeIndex(string id, out int index) => _nodeIndex.TryGetValue(id, out index);

    public bool TryGetSegmentIndex(string id, out int index) => _segmentIndex.TryGetValue(id, out index);

    public bool TryGetDistrictIndex(string id, out int index) => _districtIndex.TryGetValue(id, out index);

    public int NodeIndex(string id) => _nodeIndex.TryGetValue(id, out var i) ? i
        : throw new ArgumentException($"Unknown node '{id}'.", nameof(id));

    public int SegmentIndex(string id) => _segmentIndex.TryGetValue(id, out var i) ? i
        : throw new ArgumentException($"Unknown segment '{id}'.", nameof(id));

    public int DistrictIndex(string id) => _districtIndex.TryGetValue(id, out var i) ? i
        : throw new ArgumentException($"Unknown district '{id}'.", nameof(id));

    /// <summary>Ids of the segments with the given name, compared ignoring case and Unicode normalization form.</summary>
    public IReadOnlyList<string> FindSegmentIdsByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var wanted = name.Trim().Normalize(NormalizationForm.FormC);
        var found = new List<string>();
        foreach (var segment in SegmentArray)
        {
            if (string.Equals(segment.Name.Trim().Normalize(NormalizationForm.FormC), wanted, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(segment.Id);
            }
        }
        return found;
    }

    /// <summary>The calibrated baseline demand for these options, built on first use and kept with the network.</summary>
    internal BaselineDemand GetBaseline(SimulationOptions options)
    {
        var key = DemandKey.Of(options, DistrictCount);
        lock (_baselineLock)
        {
            if (_baselines.TryGetValue(key, out var cached))
            {
                return cached;
            }
        }
        // Built outside the lock: it is deterministic, so two racing builds give the same demand.
        var built = BaselineDemand.Build(this, options);
        lock (_baselineLock)
        {
            return _baselines.TryAdd(key, built) ? built : _baselines[key];
        }
    }

    /// <summary>
    /// The usual demand's routes at <paramref name="level"/> (see <see cref="BaselineRoutes"/>), built on first use; the
    /// last <see cref="BaselineRoutes.KeptPerNetwork"/> are kept. They are deterministic, so one built again is the same.
    /// </summary>
    internal BaselineRoutes GetBaselineRoutes(SimulationOptions options, double level)
    {
        var key = DemandKey.Of(options, DistrictCount);
        lock (_baselineLock)
        {
            var index = _baselineRoutes.FindIndex(r => r.Key == key && r.Level == level);
            if (index >= 0)
            {
                // The most recently used are kept.
                var hit = _baselineRoutes[index];
                _baselineRoutes.RemoveAt(index);
                _baselineRoutes.Add(hit);
                return hit.Routes;
            }
        }
        var built = BaselineRoutes.Build(this, GetBaseline(options), options, level);
        lock (_baselineLock)
        {
            _baselineRoutes.RemoveAll(r => r.Key == key && r.Level == level);
            _baselineRoutes.Add((key, level, built));
            if (_baselineRoutes.Count > BaselineRoutes.KeptPerNetwork)
            {
                _baselineRoutes.RemoveAt(0);
            }
            return built;
        }
    }

    private int NodeOf(string id, List<string> nodeIds)
    {
        if (!_nodeIndex.TryGetValue(id, out var index))
        {
            index = nodeIds.Count;
            _nodeIndex.Add(id, index);
            nodeIds.Add(id);
        }
        return index;
    }

    private void SetLink(int link, int from, int to, int segment, bool forward, double capacity)
    {
        var spec = SegmentArray[segment];
        LinkFromArray[link] = from;
        LinkToArray[link] = to;
        LinkSegmentArray[link] = segment;
        LinkDistrictArray[link] = SegmentDistrictArray[segment];
        LinkLengthKmArray[link] = spec.LengthM / 1000;
        LinkFreeFlowKmhArray[link] = spec.FreeFlowSpeedKmh;
        LinkCapacityVphArray[link] = capacity;
        LinkForwardArray[link] = forward;
    }

    private void AddIncident(int node, int[] start, int[] links, double[] weight, List<int> touched)
    {
        for (var k = start[node]; k < start[node + 1]; k++)
        {
            var link = links[k];
            var d = LinkDistrictArray[link];
            if (weight[d] == 0)
            {
                touched.Add(d);
            }
            weight[d] += LinkCapacityVphArray[link];
        }
    }

    /// <summary>Offsets of each node's items (grouped by <paramref name="key"/>) and the items in ascending order within a node.</summary>
    internal static (int[] Start, int[] Items) Csr(int nodes, int[] key)
    {
        var start = new int[nodes + 1];
        foreach (var n in key)
        {
            start[n + 1]++;
        }
        for (var n = 0; n < nodes; n++)
        {
            start[n + 1] += start[n];
        }
        var fill = (int[])start.Clone();
        var items = new int[key.Length];
        for (var link = 0; link < key.Length; link++)
        {
            items[fill[key[link]]++] = link;
        }
        return (start, items);
    }

    private static void ValidateSegment(SegmentSpec seg, int s)
    {
        if (string.IsNullOrEmpty(seg.Id))
        {
            throw new ArgumentException($"Segment {s} has no id.", $"segments[{s}].Id");
        }
        if (string.IsNullOrEmpty(seg.FromNode))
        {
            throw new ArgumentException($"Segment '{seg.Id}' has no from-node.", $"segments[{s}].FromNode");
        }
        if (string.IsNullOrEmpty(seg.ToNode) || seg.ToNode == seg.FromNode)
        {
            throw new ArgumentException($"Segment '{seg.Id}' needs a to-node different from its from-node.", $"segments[{s}].ToNode");
        }
        if (!(seg.LengthM > 0 && double.IsFinite(seg.LengthM)))
        {
            throw new ArgumentException($"Segment '{seg.Id}' needs a positive length.", $"segments[{s}].LengthM");
        }
        if (!(seg.CapacityVph > 0 && double.IsFinite(seg.CapacityVph)))
        {
            throw new ArgumentException($"Segment '{seg.Id}' needs a positive capacity.", $"segments[{s}].CapacityVph");
        }
        if (!(seg.FreeFlowSpeedKmh > 0 && double.IsFinite(seg.FreeFlowSpeedKmh)))
        {
            throw new ArgumentException($"Segment '{seg.Id}' needs a positive free-flow speed.", $"segments[{s}].FreeFlowSpeedKmh");
        }
        if (seg.Name is null)
        {
            throw new ArgumentException($"Segment '{seg.Id}' has no name.", $"segments[{s}].Name");
        }
    }

    private static double FloodFactor(SegmentSpec seg)
    {
        var byClass = seg.RoadClass?.ToLowerInvariant() switch
        {
            "bridge" => 0.0,
            "expressway" => 0.5,
            "ramp" => 0.8,
            "collector" => 1.15,
            "local" => 1.3,
            "tunnel" => 1.6,
            _ => 1.0,
        };
        return byClass * (0.75 + 0.5 * StableUnit(seg.Id));
    }

    /// <summary>A value in [0, 1) fixed by the text alone (FNV-1a over its UTF-16 code units, then mixed).</summary>
    private static double StableUnit(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCDUL;
        hash ^= hash >> 33;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Id}: {NodeCount} nodes, {LinkCount} links, {SegmentCount} segments, {DistrictCount} districts");
}
