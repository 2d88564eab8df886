using IocTwin.Model;

namespace IocTwin.Tests.Domain;

/// <summary>Geometry and graph checks the topology tests share.</summary>
internal static class RoadGraph
{
    /// <summary>Each node of the undirected road graph mapped to a representative of its connected component.</summary>
    public static Dictionary<string, string> Components(IEnumerable<SegmentSpec> segments)
    {
        var parent = new Dictionary<string, string>();
        string Find(string x)
        {
            while (parent[x] != x)
            {
                x = parent[x] = parent[parent[x]];
            }
            return x;
        }
        foreach (var s in segments)
        {
            parent.TryAdd(s.FromNode, s.FromNode);
            parent.TryAdd(s.ToNode, s.ToNode);
            var (a, b) = (Find(s.FromNode), Find(s.ToNode));
            if (a != b)
            {
                parent[a] = b;
            }
        }
        return parent.Keys.ToList().ToDictionary(n => n, Find);
    }

    /// <summary>Whether a point lies inside a polygon ring (even-odd rule).</summary>
    public static bool Contains(IReadOnlyList<GeoPoint> ring, GeoPoint p)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            var (a, b) = (ring[i], ring[j]);
            if ((a.Lat > p.Lat) != (b.Lat > p.Lat) &&
                p.Lon < a.Lon + (p.Lat - a.Lat) * (b.Lon - a.Lon) / (b.Lat - a.Lat))
            {
                inside = !inside;
            }
        }
        return inside;
    }
}
