using IocTwin.Model;
using IocTwin.Simulation;
using IocTwin.Topology;

namespace IocTwin.Tests.Simulation;

/// <summary>Networks the simulation tests share: Đà Nẵng, and small hand-made towns on two banks of a river.</summary>
internal static class SimulationCities
{
    private static readonly Lazy<RoadNetwork> DaNangNetwork = new(() => RoadNetwork.FromCity(GeoJsonCityReader.LoadSample()));

    private static readonly Lazy<SimulationResult> DaNangBaselineHour = new(() => Simulator.Run(DaNang, ScenarioInputs.Baseline, 60, 60));

    public static RoadNetwork DaNang => DaNangNetwork.Value;

    /// <summary>The usual 07:00–08:00 on the Đà Nẵng sample, in 60-second steps.</summary>
    public static SimulationResult DaNangBaseline => DaNangBaselineHour.Value;

    /// <summary>
    /// A busy two hours on the Đà Nẵng sample: Cầu Rồng closed from minute 5 to 50, a cloudburst on Hải Châu, an
    /// incident on Nguyễn Văn Linh and 8,000 added trips from the whole city to two nodes.
    /// </summary>
    public static ScenarioInputs BusyDaNangDay => new()
    {
        Interventions =
        [
            new CloseSegment(DaNang.FindSegmentIdsByName("Cầu Rồng").Single(), 5, 50),
            new Rainfall("hai-chau", 110, 0, 40),
            new Incident("seg-nguyen-van-linh-2", 0.5, 10, 30),
            new AddDemand(DemandEnd.City, DemandEnd.Nodes("n-bd-hv", "n-bd-nvl"), 8000, 0, 60),
        ],
    };

    public const string West = "west";
    public const string East = "east";

    /// <summary>
    /// Two 3 × 3 street grids (1 km blocks) facing each other across a river, joined by <paramref name="bridges"/>
    /// bridges <c>bridge-0</c>, <c>bridge-1</c>, ... from the west grid's east edge to the east grid's west edge.
    /// Nodes are <c>w-{row}-{col}</c> and <c>e-{row}-{col}</c>.
    /// </summary>
    public static RoadNetwork TwoBanks(int bridges = 3)
    {
        var segments = new List<SegmentSpec>();
        foreach (var (bank, lon0) in new[] { (West, 108.10), (East, 108.14) })
        {
            var prefix = bank[0];
            for (var row = 0; row < 3; row++)
            {
                for (var col = 0; col < 3; col++)
                {
                    if (col < 2)
                    {
                        segments.Add(Street($"{prefix}-h-{row}-{col}", bank, $"{prefix}-{row}-{col}", $"{prefix}-{row}-{col + 1}", lon0, row, col));
                    }
                    if (row < 2)
                    {
                        segments.Add(Street($"{prefix}-v-{row}-{col}", bank, $"{prefix}-{row}-{col}", $"{prefix}-{row + 1}-{col}", lon0, row, col));
                    }
                }
            }
        }
        for (var b = 0; b < bridges; b++)
        {
            var row = bridges == 1 ? 1 : b;
            GeoPoint[] line = [new(108.12, 16.0 + 0.009 * row), new(108.14, 16.0 + 0.009 * row)];
            segments.Add(new SegmentSpec($"bridge-{b}", $"Cầu {b}", West, $"w-{row}-2", $"e-{row}-0", line, 1500, 4, 3600, 50,
                SegmentStatus.Open, "bridge", false));
        }
        return RoadNetwork.Create(segments, [District(West, "Tây"), District(East, "Đông")], "two-banks");
    }

    /// <summary>
    /// A road from <c>o</c> through <c>a</c> to a fork at <c>b</c>: <c>approach</c> (o→a, 1 km) and <c>feeder</c>
    /// (a→b, 500 m), both two lanes one way at 3,600 veh/h. From the fork, <c>branch</c> (b→c, 300 m, one lane,
    /// 1,800 veh/h) leads to <c>bottleneck</c> (c→e, 200 m, one lane, <paramref name="bottleneckVph"/>), and
    /// <c>side</c> (b→d, 500 m, two lanes, 3,600 veh/h) goes the other way. All at 50 km/h.
    /// </summary>
    public static RoadNetwork Fork(double bottleneckVph)
    {
        static SegmentSpec Road(string id, string from, string to, double lengthM, int lanes, double capacity) =>
            new(id, $"Đường {id}", Fork1, from, to, [new(108.1, 16.0), new(108.11, 16.0)], lengthM, lanes, capacity, 50,
                SegmentStatus.Open, "arterial", true);
        return RoadNetwork.Create(
            [
                Road("approach", "o", "a", 1000, 2, 3600),
                Road("feeder", "a", "b", 500, 2, 3600),
                Road("branch", "b", "c", 300, 1, 1800),
                Road("bottleneck", "c", "e", 200, 1, bottleneckVph),
                Road("side", "b", "d", 500, 2, 3600),
            ],
            [District(Fork1, "Ngã ba")], "fork");
    }

    public const string Fork1 = "fork";

    private static SegmentSpec Street(string id, string district, string from, string to, double lon0, int row, int col)
    {
        GeoPoint[] line = [new(lon0 + 0.009 * col, 16.0 + 0.009 * row), new(lon0 + 0.009 * col, 16.0 + 0.009 * row)];
        return new SegmentSpec(id, $"Đường {id}", district, from, to, line, 1000, 2, 1800, 40, SegmentStatus.Open, "arterial", false);
    }

    private static DistrictSpec District(string id, string name) =>
        new(id, name, null, [new(108.0, 16.0), new(108.1, 16.0), new(108.1, 16.1)]);
}
