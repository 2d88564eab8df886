namespace IocTwin.Model;

/// <summary>A WGS84 position. Written in JSON as a GeoJSON position: [lon, lat].</summary>
[GenerateSerializer, Immutable]
public readonly record struct GeoPoint([property: Id(0)] double Lon, [property: Id(1)] double Lat)
{
    private const double EarthRadiusM = 6_371_008.8;

    public bool IsValid => double.IsFinite(Lon) && double.IsFinite(Lat) && Lon is >= -180 and <= 180 && Lat is >= -90 and <= 90;

    /// <summary>Great-circle distance in metres.</summary>
    public double DistanceTo(GeoPoint other)
    {
        var dLat = double.DegreesToRadians(other.Lat - Lat);
        var dLon = double.DegreesToRadians(other.Lon - Lon);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) +
                Math.Cos(double.DegreesToRadians(Lat)) * Math.Cos(double.DegreesToRadians(other.Lat)) *
                Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    public static double PolylineLength(IReadOnlyList<GeoPoint> points)
    {
        var length = 0.0;
        for (var i = 1; i < points.Count; i++)
        {
            length += points[i - 1].DistanceTo(points[i]);
        }
        return length;
    }
}
