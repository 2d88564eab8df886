using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Street classes of a synthetic city, by grid line: most are local, every 4th an arterial, one in 16 an expressway.</summary>
internal enum SyntheticLineClass { Local, Collector, Arterial, Expressway }

/// <summary>The segments of a synthetic city, with the district and street class of each.</summary>
internal sealed class SyntheticSegmentSet(SegmentSpec[] specs, int[] districtIndex, SyntheticLineClass[] classes)
{
    public SegmentSpec[] Specs { get; } = specs;
    public int[] DistrictIndex { get; } = districtIndex;
    public SyntheticLineClass[] Classes { get; } = classes;

    private static SyntheticLineClass ClassOfLine(int line) =>
        line % 16 == 8 ? SyntheticLineClass.Expressway :
        line % 4 == 0 ? SyntheticLineClass.Arterial :
        line % 2 == 0 ? SyntheticLineClass.Collector :
        SyntheticLineClass.Local;

    public static SyntheticSegmentSet Build(SyntheticGrid grid, SyntheticDistrictLayout districts, GeoPoint[] nodes, string[] nodeIds,
        List<(int A, int B)> edges, ref SplitMix64 rng)
    {
        var rowNames = new string[grid.Rows];
        for (var r = 0; r < rowNames.Length; r++)
        {
            rowNames[r] = ClassOfLine(r) == SyntheticLineClass.Expressway ? $"Cao tốc Ngang {r + 1}" : $"Đường Ngang {r + 1}";
        }
        var colNames = new string[grid.Width];
        for (var c = 0; c < colNames.Length; c++)
        {
            colNames[c] = ClassOfLine(c) == SyntheticLineClass.Expressway ? $"Cao tốc Dọc {c + 1}" : $"Đường Dọc {c + 1}";
        }

        var specs = new SegmentSpec[edges.Count];
        var districtIndex = new int[edges.Count];
        var classes = new SyntheticLineClass[edges.Count];
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
                case SyntheticLineClass.Expressway:
                    lanes = rng.NextInt(2) == 0 ? 4 : 6;
                    perLane = 1800 + 50 * rng.NextInt(5);
                    speed = 80 + 10 * rng.NextInt(3);
                    roadClass = "expressway";
                    break;
                case SyntheticLineClass.Arterial:
                    lanes = rng.NextInt(2) == 0 ? 4 : 6;
                    perLane = 800 + 25 * rng.NextInt(7);
                    speed = 50 + 10 * rng.NextInt(2);
                    roadClass = "arterial";
                    break;
                case SyntheticLineClass.Collector:
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
        return new SyntheticSegmentSet(specs, districtIndex, classes);
    }
}
