using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Size of a synthetic city. The same options always produce the same city.</summary>
public sealed record SyntheticCityOptions(int Districts, int Segments, int Sensors, int Seed = 1);

/// <summary>
/// Builds a large, deterministic city for load and scale tests: a jittered street grid around Đà Nẵng
/// (one block ≈ 250 m) whose every segment belongs to one connected road graph, tiled by rectangular districts,
/// with sensors of every kind, most of them on road segments.
/// </summary>
/// <remarks>
/// Ids are <c>d-0001</c> (districts), <c>s-000001</c> (segments), <c>x-0000001</c> (sensors) and <c>n-000001</c>
/// (road nodes). When there are at least as many sensors as segments, every segment has a traffic counter; when
/// there are also enough left for it, every district has a sensor of every sector.
/// </remarks>
public static class SyntheticCityGenerator
{
    public const double BaseLon = 108.2;
    public const double BaseLat = 16.05;
    public const double BlockM = 250;

    public const int MaxDistricts = 1_000_000;
    public const int MaxSegments = 10_000_000;
    public const int MaxSensors = 100_000_000;

    private const double MetresPerDegreeLat = 111_195;
    private const double Jitter = 0.25; // of a block, so nodes never cross into the next block

    private enum LineClass { Local, Collector, Arterial, Expressway }

    public static CitySpec Generate(SyntheticCityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Districts, 1, nameof(options.Districts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Districts, MaxDistricts, nameof(options.Districts));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Segments, nameof(options.Segments));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Segments, MaxSegments, nameof(options.Segments));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Sensors, nameof(options.Sensors));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Sensors, MaxSensors, nameof(options.Sensors));

        var rng = new SplitMix64(options.Seed);
        var grid = Grid.Create(options.Segments);
        var districts = new DistrictLayout(grid, options.Districts);

        var nodes = PlaceNodes(grid, ref rng);
        var nodeIds = new string[grid.Nodes];
        for (var i = 0; i < nodeIds.Length; i++)
        {
            nodeIds[i] = $"n-{i + 1:D6}";
        }

        var edges = ChooseEdges(grid, options.Segments, ref rng);
        var segments = BuildSegments(grid, districts, nodes, nodeIds, edges, ref rng);
        var sensors = BuildSensors(districts, segments, options.Sensors, ref rng);

        return new CitySpec(
            $"synthetic-{options.Seed}",
            $"Synthetic city {options.Districts}/{options.Segments}/{options.Sensors} (seed {options.Seed})",
            districts.Build(),
            segments.Specs,
            sensors);
    }

    // ------------------------------------------------------------------ grid

    /// <summary>
    /// A Width-wide grid filled row by row with <see cref="Nodes"/> nodes: the smallest square whose full set of edges
    /// reaches the requested segment count, or just enough nodes for a spanning tree when that is all that is asked.
    /// </summary>
    private readonly record struct Grid(int Width, int Rows, int Nodes, double DLon, double DLat, double OriginLon, double OriginLat)
    {
        public static Grid Create(int segments)
        {
            var k = Math.Max(2, (int)Math.Ceiling((1 + Math.Sqrt(1 + 2.0 * segments)) / 2));
            while (k > 2 && 2L * (k - 1) * (k - 2) >= segments)
            {
                k--;
            }
            while (2L * k * (k - 1) < segments)
            {
                k++;
            }

            var nodes = (int)Math.Min((long)k * k, segments + 1L);
            var rows = (nodes + k - 1) / k;
            var dLat = BlockM / MetresPerDegreeLat;
            var dLon = BlockM / (MetresPerDegreeLat * Math.Cos(double.DegreesToRadians(BaseLat)));
            var originLon = BaseLon - (k - 1) / 2.0 * dLon;
            var originLat = BaseLat - (rows - 1) / 2.0 * dLat;
            return new Grid(k, rows, nodes, dLon, dLat, originLon, originLat);
        }

        /// <summary>West edge of the city: half a block beyond the first column.</summary>
        public double MinLon => OriginLon - DLon / 2;

        public double MinLat => OriginLat - DLat / 2;

        public double WidthDeg => Width * DLon;

        public double HeightDeg => Rows * DLat;
    }

    private static GeoPoint[] PlaceNodes(Grid grid, ref SplitMix64 rng)
    {
        var nodes = new GeoPoint[grid.Nodes];
        for (var i = 0; i < nodes.Length; i++)
        {
            var row = i / grid.Width;
            var col = i % grid.Width;
            var jx = (rng.NextDouble() * 2 - 1) * Jitter;
            var jy = (rng.NextDouble() * 2 - 1) * Jitter;
            nodes[i] = new GeoPoint(grid.OriginLon + (col + jx) * grid.DLon, grid.OriginLat + (row + jy) * grid.DLat);
        }
        return nodes;
    }

    /// <summary>
    /// A spanning tree first (every row's east-west street plus the westmost north-south street), so the graph is
    /// connected whatever the count; then randomly chosen north-south links up to the requested count.
    /// </summary>
    private static List<(int A, int B)> ChooseEdges(Grid grid, int segments, ref SplitMix64 rng)
    {
        var edges = new List<(int A, int B)>(segments);
        var extra = new List<(int A, int B)>();
        for (var i = 0; i < grid.Nodes; i++)
        {
            var col = i % grid.Width;
            if (col + 1 < grid.Width && i + 1 < grid.Nodes)
            {
                edges.Add((i, i + 1));
            }
            var below = i + grid.Width;
            if (below < grid.Nodes)
            {
                (col == 0 ? edges : extra).Add((i, below));
            }
        }

        var needed = segments - edges.Count;
        if (needed > extra.Count)
        {
            throw new InvalidOperationException($"A {grid.Width}-wide grid of {grid.Nodes} nodes cannot hold {segments} segments.");
        }
        // Partial Fisher-Yates: the first `needed` entries become a uniform random pick.
        for (var i = 0; i < needed; i++)
        {
            var j = i + rng.NextInt(extra.Count - i);
            (extra[i], extra[j]) = (extra[j], extra[i]);
            edges.Add(extra[i]);
        }

        // Number segments from the south-west, east-west before north-south at each node.
        edges.Sort(static (x, y) => x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B));
        return edges;
    }

    // ------------------------------------------------------------------ districts

    /// <summary>Rectangular districts in horizontal bands, numbered from the south-west.</summary>
    private sealed class DistrictLayout
    {
        private readonly Grid _grid;
        private readonly int _bands;
        private readonly int[] _bandStart;
        private readonly int[] _bandCount;

        public DistrictLayout(Grid grid, int count)
        {
            _grid = grid;
            Count = count;
            // Near-square districts: as many bands as the city's height-to-width ratio calls for.
            var aspect = (double)grid.Rows / grid.Width;
            _bands = Math.Clamp((int)Math.Round(Math.Sqrt(count * aspect)), 1, count);
            _bandStart = new int[_bands];
            _bandCount = new int[_bands];
            var start = 0;
            for (var b = 0; b < _bands; b++)
            {
                _bandCount[b] = count / _bands + (b < count % _bands ? 1 : 0);
                _bandStart[b] = start;
                start += _bandCount[b];
            }
            Ids = new string[count];
            for (var i = 0; i < count; i++)
            {
                Ids[i] = $"d-{i + 1:D4}";
            }
        }

        public int Count { get; }

        public string[] Ids { get; }

        public int IndexOf(GeoPoint p)
        {
            var bandHeight = _grid.HeightDeg / _bands;
            var band = Math.Clamp((int)Math.Floor((p.Lat - _grid.MinLat) / bandHeight), 0, _bands - 1);
            var n = _bandCount[band];
            var column = Math.Clamp((int)Math.Floor((p.Lon - _grid.MinLon) / (_grid.WidthDeg / n)), 0, n - 1);
            return _bandStart[band] + column;
        }

        public GeoPoint RandomPoint(ref SplitMix64 rng) =>
            new(_grid.MinLon + rng.NextDouble() * _grid.WidthDeg, _grid.MinLat + rng.NextDouble() * _grid.HeightDeg);

        public GeoPoint RandomPointIn(int district, ref SplitMix64 rng)
        {
            var (west, south, east, north) = Bounds(district);
            // Keep clear of the edges so the point is unambiguously inside.
            return new GeoPoint(
                west + (0.05 + 0.9 * rng.NextDouble()) * (east - west),
                south + (0.05 + 0.9 * rng.NextDouble()) * (north - south));
        }

        public DistrictSpec[] Build()
        {
            var specs = new DistrictSpec[Count];
            for (var i = 0; i < Count; i++)
            {
                var (west, south, east, north) = Bounds(i);
                GeoPoint[] ring =
                [
                    new(west, south), new(east, south), new(east, north), new(west, north), new(west, south),
                ];
                specs[i] = new DistrictSpec(Ids[i], $"Quận {i + 1}", $"District {i + 1}", ring);
            }
            return specs;
        }

        private (double West, double South, double East, double North) Bounds(int district)
        {
            var band = Array.BinarySearch(_bandStart, district);
            if (band < 0)
            {
                band = ~band - 1;
            }
            var n = _bandCount[band];
            var column = district - _bandStart[band];
            var bandHeight = _grid.HeightDeg / _bands;
            var width = _grid.WidthDeg / n;
            var south = _grid.MinLat + band * bandHeight;
            var west = _grid.MinLon + column * width;
            return (west, south, west + width, south + bandHeight);
        }
    }

    // ------------------------------------------------------------------ segments

    private sealed class SegmentSet(SegmentSpec[] specs, int[] districtIndex, LineClass[] classes)
    {
        public SegmentSpec[] Specs { get; } = specs;
        public int[] DistrictIndex { get; } = districtIndex;
        public LineClass[] Classes { get; } = classes;
    }

    private static LineClass ClassOfLine(int line) =>
        line % 16 == 8 ? LineClass.Expressway :
        line % 4 == 0 ? LineClass.Arterial :
        line % 2 == 0 ? LineClass.Collector :
        LineClass.Local;

    private static SegmentSet BuildSegments(Grid grid, DistrictLayout districts, GeoPoint[] nodes, string[] nodeIds,
        List<(int A, int B)> edges, ref SplitMix64 rng)
    {
        var rowNames = new string[grid.Rows];
        for (var r = 0; r < rowNames.Length; r++)
        {
            rowNames[r] = ClassOfLine(r) == LineClass.Expressway ? $"Cao tốc Ngang {r + 1}" : $"Đường Ngang {r + 1}";
        }
        var colNames = new string[grid.Width];
        for (var c = 0; c < colNames.Length; c++)
        {
            colNames[c] = ClassOfLine(c) == LineClass.Expressway ? $"Cao tốc Dọc {c + 1}" : $"Đường Dọc {c + 1}";
        }

        var specs = new SegmentSpec[edges.Count];
        var districtIndex = new int[edges.Count];
        var classes = new LineClass[edges.Count];
        for (var i = 0; i < specs.Length; i++)
        {
            var (a, b) = edges[i];
            var horizontal = b == a + 1;
            var line = horizontal ? a / grid.Width : a % grid.Width;
            var lineClass = ClassOfLine(line);
            var from = nodes[a];
            var to = nodes[b];
            GeoPoint[] geometry = [from, to];
            var mid = new GeoPoint((from.Lon + to.Lon) / 2, (from.Lat + to.Lat) / 2);
            var district = districts.IndexOf(mid);

            int lanes;
            double perLane;
            double speed;
            string roadClass;
            switch (lineClass)
            {
                case LineClass.Expressway:
                    lanes = rng.NextInt(2) == 0 ? 4 : 6;
                    perLane = 1800 + 50 * rng.NextInt(5);
                    speed = 80 + 10 * rng.NextInt(3);
                    roadClass = "expressway";
                    break;
                case LineClass.Arterial:
                    lanes = rng.NextInt(2) == 0 ? 4 : 6;
                    perLane = 800 + 25 * rng.NextInt(7);
                    speed = 50 + 10 * rng.NextInt(2);
                    roadClass = "arterial";
                    break;
                case LineClass.Collector:
                    lanes = 2 + 2 * rng.NextInt(2);
                    perLane = 600 + 25 * rng.NextInt(7);
                    speed = 40;
                    roadClass = "collector";
                    break;
                default:
                    lanes = 1 + rng.NextInt(2);
                    perLane = 450 + 25 * rng.NextInt(7);
                    speed = 30;
                    roadClass = "local";
                    break;
            }

            specs[i] = new SegmentSpec(
                $"s-{i + 1:D6}",
                horizontal ? rowNames[line] : colNames[line],
                districts.Ids[district],
                nodeIds[a],
                nodeIds[b],
                geometry,
                GeoPoint.PolylineLength(geometry),
                lanes,
                lanes * perLane,
                speed,
                SegmentStatus.Open,
                roadClass,
                OneWay: false);
            districtIndex[i] = district;
            classes[i] = lineClass;
        }
        return new SegmentSet(specs, districtIndex, classes);
    }

    // ------------------------------------------------------------------ sensors

    private static readonly (SensorKind Kind, double Weight)[] KindWeights =
    [
        (SensorKind.TrafficCounter, 0.30),
        (SensorKind.SpeedCamera, 0.06),
        (SensorKind.AirQuality, 0.10),
        (SensorKind.Noise, 0.07),
        (SensorKind.WaterLevel, 0.07),
        (SensorKind.RainGauge, 0.04),
        (SensorKind.Streetlight, 0.22),
        (SensorKind.WaterPressure, 0.08),
        (SensorKind.PeopleCounter, 0.06),
    ];

    /// <summary>One kind standing for each sector when every district is given a sensor of every sector.</summary>
    private static readonly SensorKind[] SectorRepresentatives =
    [
        SensorKind.TrafficCounter, SensorKind.AirQuality, SensorKind.WaterLevel, SensorKind.Streetlight,
        SensorKind.WaterPressure, SensorKind.PeopleCounter,
    ];

    /// <summary>Chance that a sensor of the kind is mounted on a road segment rather than off-road.</summary>
    private static double OnSegmentShare(SensorKind kind) => kind switch
    {
        SensorKind.TrafficCounter or SensorKind.SpeedCamera or SensorKind.Streetlight => 1.0,
        SensorKind.WaterLevel => 0.5,
        SensorKind.PeopleCounter => 0.4,
        SensorKind.AirQuality or SensorKind.Noise => 0.3,
        _ => 0.0,
    };

    private static SensorSpec[] BuildSensors(DistrictLayout districts, SegmentSet segments, int count, ref SplitMix64 rng)
    {
        var sensors = new SensorSpec[count];
        var n = 0;
        var specs = segments.Specs;

        // Segments of each district, for placing a district's sensors on its own roads.
        var perDistrictCount = new int[districts.Count];
        foreach (var d in segments.DistrictIndex)
        {
            perDistrictCount[d]++;
        }
        var perDistrictStart = new int[districts.Count + 1];
        for (var d = 0; d < districts.Count; d++)
        {
            perDistrictStart[d + 1] = perDistrictStart[d] + perDistrictCount[d];
        }
        var bySegmentDistrict = new int[specs.Length];
        var fill = (int[])perDistrictStart.Clone();
        for (var s = 0; s < specs.Length; s++)
        {
            bySegmentDistrict[fill[segments.DistrictIndex[s]]++] = s;
        }

        var sectorCovered = new bool[districts.Count, SectorRepresentatives.Length];

        void Add(SensorKind kind, int segment, GeoPoint location, int district)
        {
            sensors[n] = new SensorSpec(
                $"x-{n + 1:D7}",
                kind,
                GeoJsonCityReader.DefaultSector(kind),
                location,
                districts.Ids[district],
                segment >= 0 ? specs[segment].Id : null,
                null);
            var sectorSlot = Array.IndexOf(SectorRepresentatives, RepresentativeOf(kind));
            sectorCovered[district, sectorSlot] = true;
            n++;
        }

        void AddOnSegment(SensorKind kind, int segment, ref SplitMix64 random)
        {
            var geometry = specs[segment].Geometry;
            var t = 0.2 + 0.6 * random.NextDouble();
            var location = new GeoPoint(
                geometry[0].Lon + (geometry[1].Lon - geometry[0].Lon) * t,
                geometry[0].Lat + (geometry[1].Lat - geometry[0].Lat) * t);
            // A sensor on a segment belongs to the segment's district; where the segment crosses a district edge,
            // fall back to its midpoint, which decided that district.
            var district = segments.DistrictIndex[segment];
            if (districts.IndexOf(location) != district)
            {
                location = new GeoPoint((geometry[0].Lon + geometry[1].Lon) / 2, (geometry[0].Lat + geometry[1].Lat) / 2);
            }
            Add(kind, segment, location, district);
        }

        // 1. A traffic counter on every segment.
        for (var s = 0; s < specs.Length && n < count; s++)
        {
            AddOnSegment(SensorKind.TrafficCounter, s, ref rng);
        }

        // 2. A sensor of every sector in every district, if the budget allows it.
        var missing = 0;
        for (var d = 0; d < districts.Count; d++)
        {
            for (var k = 0; k < SectorRepresentatives.Length; k++)
            {
                missing += sectorCovered[d, k] ? 0 : 1;
            }
        }
        if (count - n >= missing)
        {
            for (var d = 0; d < districts.Count; d++)
            {
                for (var k = 0; k < SectorRepresentatives.Length; k++)
                {
                    if (sectorCovered[d, k])
                    {
                        continue;
                    }
                    var kind = SectorRepresentatives[k];
                    var own = perDistrictCount[d];
                    if (own > 0 && rng.NextDouble() < OnSegmentShare(kind))
                    {
                        AddOnSegment(kind, bySegmentDistrict[perDistrictStart[d] + rng.NextInt(own)], ref rng);
                    }
                    else
                    {
                        Add(kind, -1, districts.RandomPointIn(d, ref rng), d);
                    }
                }
            }
        }

        // 3. The rest, by the usual mix of kinds.
        var totalWeight = KindWeights.Sum(w => w.Weight);
        while (n < count)
        {
            var pick = rng.NextDouble() * totalWeight;
            var kind = KindWeights[^1].Kind;
            foreach (var (candidate, weight) in KindWeights)
            {
                if (pick < weight)
                {
                    kind = candidate;
                    break;
                }
                pick -= weight;
            }

            if (specs.Length > 0 && rng.NextDouble() < OnSegmentShare(kind))
            {
                var s = rng.NextInt(specs.Length);
                if (kind == SensorKind.SpeedCamera)
                {
                    // Speed cameras watch the faster roads.
                    for (var attempt = 0; attempt < 4 && segments.Classes[s] < LineClass.Arterial; attempt++)
                    {
                        s = rng.NextInt(specs.Length);
                    }
                }
                AddOnSegment(kind, s, ref rng);
            }
            else
            {
                var location = districts.RandomPoint(ref rng);
                Add(kind, -1, location, districts.IndexOf(location));
            }
        }

        return sensors;
    }

    private static SensorKind RepresentativeOf(SensorKind kind) => GeoJsonCityReader.DefaultSector(kind) switch
    {
        Sector.Traffic => SensorKind.TrafficCounter,
        Sector.Environment => SensorKind.AirQuality,
        Sector.Flood => SensorKind.WaterLevel,
        Sector.Lighting => SensorKind.Streetlight,
        Sector.Water => SensorKind.WaterPressure,
        _ => SensorKind.PeopleCounter,
    };

    // ------------------------------------------------------------------ random numbers

    /// <summary>SplitMix64: small, fast and the same on every platform and runtime version.</summary>
    private struct SplitMix64(int seed)
    {
        private ulong _state = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 0xD1B54A32D192ED03UL);

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [0, n) for n &gt; 0.</summary>
        public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);
    }
}
