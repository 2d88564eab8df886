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

    private static SegmentSpec Street(string id, string district, string from, string to, double lon0, int row, int col)
    {
        GeoPoint[] line = [new(lon0 + 0.009 * col, 16.0 + 0.009 * row), new(lon0 + 0.009 * col, 16.0 + 0.009 * row)];
        return new SegmentSpec(id, $"Đường {id}", district, from, to, line, 1000, 2, 1800, 40, SegmentStatus.Open, "arterial", false);
    }

    private static DistrictSpec District(string id, string name) =>
        new(id, name, null, [new(108.0, 16.0), new(108.1, 16.0), new(108.1, 16.1)]);
}
