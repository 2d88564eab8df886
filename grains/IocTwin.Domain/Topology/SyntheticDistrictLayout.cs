using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>Rectangular districts in horizontal bands, numbered from the south-west.</summary>
internal sealed class SyntheticDistrictLayout
{
    private readonly SyntheticGrid _grid;
    private readonly int _bands;
    private readonly int[] _bandStart;
    private readonly int[] _bandCount;

    public SyntheticDistrictLayout(SyntheticGrid grid, int count)
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
