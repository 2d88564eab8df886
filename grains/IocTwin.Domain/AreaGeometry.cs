using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Where points and boundaries lie relative to an area's boundary (every part of a MultiPolygon).</summary>
public static class AreaGeometry
{
    /// <summary>How far outside its parent a child's boundary may stray: neighbours drawn from different sources
    /// rarely share an edge to the centimetre.</summary>
    public const double EdgeToleranceM = 25;

    private const double MetresPerDegree = 111_320;

    /// <summary>Whether the point lies inside the area, or on (within <paramref name="toleranceM"/> of) its edge.</summary>
    public static bool Holds(DistrictSpec area, GeoPoint point, double toleranceM = 0) =>
        area.Parts.Any(ring => Inside(ring, point) || (toleranceM > 0 && DistanceToEdgeM(ring, point) <= toleranceM));

    /// <summary>Whether the point lies inside one polygon ring (a geofence).</summary>
    public static bool RingHolds(IReadOnlyList<GeoPoint> ring, GeoPoint point) => Inside(ring, point);

    /// <summary>Whether every vertex of the child's boundary lies inside the parent's or on its edge (shared edges pass).</summary>
    public static bool HoldsBoundary(DistrictSpec parent, DistrictSpec child) =>
        child.Parts.All(ring => ring.All(p => Holds(parent, p, EdgeToleranceM)));

    /// <summary>The point halfway along a line: where a segment is placed in an area.</summary>
    public static GeoPoint Midpoint(IReadOnlyList<GeoPoint> line)
    {
        var half = GeoPoint.PolylineLength(line) / 2;
        for (var i = 1; i < line.Count; i++)
        {
            var step = line[i - 1].DistanceTo(line[i]);
            if (step >= half && step > 0)
            {
                var t = half / step;
                return new GeoPoint(line[i - 1].Lon + (line[i].Lon - line[i - 1].Lon) * t, line[i - 1].Lat + (line[i].Lat - line[i - 1].Lat) * t);
            }
            half -= step;
        }
        return line[^1];
    }

    /// <summary>Ray casting; a ring closed or not.</summary>
    private static bool Inside(IReadOnlyList<GeoPoint> ring, GeoPoint p)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            var (a, b) = (ring[i], ring[j]);
            if ((a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < (b.Lon - a.Lon) * (p.Lat - a.Lat) / (b.Lat - a.Lat) + a.Lon)
            {
                inside = !inside;
            }
        }
        return inside;
    }

    /// <summary>Metres from the point to the ring's nearest edge, on a local flat projection (areas are city-sized).</summary>
    private static double DistanceToEdgeM(IReadOnlyList<GeoPoint> ring, GeoPoint p)
    {
        var lonScale = Math.Cos(p.Lat * Math.PI / 180) * MetresPerDegree;
        var best = double.MaxValue;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            double ax = (ring[j].Lon - p.Lon) * lonScale, ay = (ring[j].Lat - p.Lat) * MetresPerDegree;
            double bx = (ring[i].Lon - p.Lon) * lonScale, by = (ring[i].Lat - p.Lat) * MetresPerDegree;
            double dx = bx - ax, dy = by - ay, lengthSquared = dx * dx + dy * dy;
            var t = lengthSquared == 0 ? 0 : Math.Clamp(-(ax * dx + ay * dy) / lengthSquared, 0, 1);
            best = Math.Min(best, Math.Sqrt(Math.Pow(ax + t * dx, 2) + Math.Pow(ay + t * dy, 2)));
        }
        return best;
    }
}
