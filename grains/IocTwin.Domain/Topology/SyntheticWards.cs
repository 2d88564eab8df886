using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// A second level for a synthetic city: each district's rectangle cut into wards of equal width (west to east), and
/// every segment and sensor moved into the ward holding its midpoint or location. Synthetic boundaries are drawn, not
/// surveyed: every area is marked schematic.
/// </summary>
internal static class SyntheticWards
{
    public static CitySpec Split(CitySpec city, int wardsPerDistrict)
    {
        if (wardsPerDistrict <= 1)
        {
            return city;
        }
        var districts = city.Districts.Select(d => d with { Schematic = true }).ToList();
        var wardsOf = districts.ToDictionary(d => d.Id, d => Wards(d, wardsPerDistrict));
        string WardAt(string districtId, GeoPoint point)
        {
            var wards = wardsOf[districtId];
            return (wards.FirstOrDefault(w => AreaGeometry.Holds(w, point)) ?? wards.MinBy(w => Math.Abs(Centre(w).Lon - point.Lon))!).Id;
        }
        var segments = city.Segments.Select(s => s with { DistrictId = WardAt(s.DistrictId, AreaGeometry.Midpoint(s.Geometry)) }).ToList();
        var segmentWards = segments.ToDictionary(s => s.Id, s => s.DistrictId);
        var sensors = city.Sensors.Select(s => s with
        {
            DistrictId = s.SegmentId is { } segmentId ? segmentWards[segmentId] : WardAt(s.DistrictId, s.Location),
        }).ToList();
        return city with { Districts = [.. districts, .. wardsOf.Values.SelectMany(w => w)], Segments = segments, Sensors = sensors };
    }

    private static List<DistrictSpec> Wards(DistrictSpec district, int count)
    {
        var (west, east) = (district.Boundary.Min(p => p.Lon), district.Boundary.Max(p => p.Lon));
        var (south, north) = (district.Boundary.Min(p => p.Lat), district.Boundary.Max(p => p.Lat));
        var width = (east - west) / count;
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var (w, e) = (west + i * width, i == count - 1 ? east : west + (i + 1) * width);
            GeoPoint[] ring = [new(w, south), new(e, south), new(e, north), new(w, north), new(w, south)];
            return new DistrictSpec($"{district.Id}-w{i + 1:D2}", $"Phường {i + 1} ({district.Name})", $"Ward {i + 1} ({district.NameEn})",
                ring, AreaKinds.Ward, district.Id, Schematic: true);
        })];
    }

    private static GeoPoint Centre(DistrictSpec area) =>
        new(area.Boundary.Average(p => p.Lon), area.Boundary.Average(p => p.Lat));
}
