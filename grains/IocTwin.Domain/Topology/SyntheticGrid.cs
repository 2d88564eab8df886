namespace IocTwin.Topology;

/// <summary>
/// A Width-wide grid filled row by row with <see cref="Nodes"/> nodes: the smallest square whose full set of edges
/// reaches the requested segment count, or just enough nodes for a spanning tree when that is all that is asked.
/// </summary>
internal readonly record struct SyntheticGrid(int Width, int Rows, int Nodes, double DLon, double DLat, double OriginLon, double OriginLat)
{
    private const double MetresPerDegreeLat = 111_195;

    public static SyntheticGrid Create(int segments)
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
        var dLat = SyntheticCityGenerator.BlockM / MetresPerDegreeLat;
        var dLon = SyntheticCityGenerator.BlockM / (MetresPerDegreeLat * Math.Cos(double.DegreesToRadians(SyntheticCityGenerator.BaseLat)));
        var originLon = SyntheticCityGenerator.BaseLon - (k - 1) / 2.0 * dLon;
        var originLat = SyntheticCityGenerator.BaseLat - (rows - 1) / 2.0 * dLat;
        return new SyntheticGrid(k, rows, nodes, dLon, dLat, originLon, originLat);
    }

    /// <summary>West edge of the city: half a block beyond the first column.</summary>
    public double MinLon => OriginLon - DLon / 2;

    public double MinLat => OriginLat - DLat / 2;

    public double WidthDeg => Width * DLon;

    public double HeightDeg => Rows * DLat;
}
