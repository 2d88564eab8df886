using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// Places the sensors of a synthetic city: a traffic counter on every segment first, then a sensor of every sector in
/// every district if the count allows it, then the rest by the usual mix of kinds, most of them on road segments.
/// </summary>
internal static class SyntheticSensorPlacement
{
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
    private static double OnSegmentShare(SensorKind kind) =>
        kind == SensorKind.TrafficCounter || kind == SensorKind.SpeedCamera || kind == SensorKind.Streetlight ? 1.0
        : kind == SensorKind.WaterLevel ? 0.5
        : kind == SensorKind.PeopleCounter ? 0.4
        : kind == SensorKind.AirQuality || kind == SensorKind.Noise ? 0.3
        : 0.0;

    public static SensorSpec[] Place(SyntheticDistrictLayout districts, SyntheticSegmentSet segments, int count, ref SplitMix64 rng)
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
                SectorOf(kind),
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
                    for (var attempt = 0; attempt < 4 && segments.Classes[s] < SyntheticLineClass.Arterial; attempt++)
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

    /// <summary>The kind standing for a sector's sensors where the city has one of each (the synthetic city places the default kinds).</summary>
    private static SensorKind RepresentativeOf(SensorKind kind) =>
        SectorRepresentatives.FirstOrDefault(r => SectorOf(r) == SectorOf(kind), SensorKind.PeopleCounter);

    private static Sector SectorOf(SensorKind kind) => SectorCatalog.Current.SectorOf(kind);
}
