using IocTwin.Domain;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Feed;

/// <summary>
/// Plausible readings for a city's sensors at a given time: traffic demand follows the morning and evening rush
/// (the city's local time, Đà Nẵng unless told otherwise), rain comes in episodes per district and raises water levels.
/// Deterministic for a seed and time.
/// </summary>
public sealed class SyntheticFeed(int seed = 7, TwinTimeZone? timeZone = null)
{
    private readonly TwinTimeZone _timeZone = timeZone ?? TwinTimeZone.Default;

    /// <summary>Share of capacity demanded at a local time of day: night base, 07:30 and 17:30 peaks, a midday plateau.</summary>
    public double Demand(DateTimeOffset time)
    {
        var hour = _timeZone.ToLocal(time).TimeOfDay.TotalHours;
        static double Peak(double h, double centre, double width) => Math.Exp(-Math.Pow((h - centre) / width, 2));
        return 0.12 + 0.78 * Peak(hour, 7.5, 1.1) + 0.85 * Peak(hour, 17.5, 1.2) + 0.35 * Peak(hour, 12.0, 2.5);
    }

    /// <summary>Rain intensity in mm/h over a district: about one half-hour window in five is rainy.</summary>
    public double RainfallMmPerHour(string districtId, DateTimeOffset time)
    {
        var window = time.ToUnixTimeSeconds() / 1800;
        // SplitMix64, not Random(seed): seeding Random builds a table of 56 numbers, at every reading of a city's feed.
        var random = new SplitMix64(HashCode.Combine(seed, window, StableHash(districtId)));
        return random.NextDouble() < 0.2 ? 5 + random.NextDouble() * 55 : 0;
    }

    public Reading Next(SensorSpec sensor, SegmentSpec? segment, DateTimeOffset time)
    {
        var random = new SplitMix64(HashCode.Combine(seed, time.ToUnixTimeMilliseconds(), StableHash(sensor.Id)));
        double Noise(double spread) => 1 + (random.NextDouble() * 2 - 1) * spread;
        var demand = Demand(time);
        var rain = RainfallMmPerHour(sensor.DistrictId, time);
        var rainSlowdown = rain > 0 ? 0.85 : 1.0;

        ReadingValues values = sensor.Kind.Id switch
        {
            "traffic-counter" or "speed-camera" => Traffic(segment, demand * Noise(0.15), rainSlowdown, sensor.Kind),
            "air-quality" =>
            [
                new(ReadingNames.Aqi, Math.Round(Math.Max(10, (35 + 70 * demand) * (rain > 0 ? 0.7 : 1) * Noise(0.1)), 1)),
                new(ReadingNames.Pm25, Math.Round(Math.Max(2, (10 + 30 * demand) * Noise(0.15)), 1)),
            ],
            "water-level" => [new(ReadingNames.Level, Math.Round(Math.Max(0, 0.02 + rain * 0.008 * Noise(0.2)), 3))],
            "rain-gauge" => [new(ReadingNames.Rainfall, Math.Round(rain * Noise(0.1), 1))],
            "noise" => [new(ReadingNames.Noise, Math.Round((48 + 25 * demand) * Noise(0.05), 1))],
            "streetlight" => Streetlight(time, Noise(0.03)),
            "water-pressure" => [new(ReadingNames.Pressure, Math.Round((3.2 - 0.8 * demand) * Noise(0.03), 2))],
            "people-counter" => [new(ReadingNames.Count, Math.Round(Math.Max(0, 250 * demand * Noise(0.3))))],
            // A kind the city defined: each of its values somewhere in the lower half of its range.
            _ => [.. (SectorCatalog.Current.Find(sensor.Kind)?.Values ?? [new SensorValueDefinition("value", "", 0, 1)])
                .Select(v => KeyValuePair.Create(v.Name, Math.Round(v.Min + (v.Max - v.Min) * 0.5 * random.NextDouble(), 3)))],
        };
        return new Reading(time, values);
    }

    private static ReadingValues Traffic(SegmentSpec? segment, double demand, double rainSlowdown, SensorKind kind)
    {
        var capacity = segment?.CapacityVph ?? 1800;
        var freeFlow = segment?.FreeFlowSpeedKmh ?? 40;
        var flow = capacity * demand;
        var speed = SegmentTrafficModel.BprSpeed(freeFlow, demand) * rainSlowdown;
        return kind == SensorKind.TrafficCounter
            ?
            [
                new(ReadingNames.Speed, Math.Round(speed, 1)),
                new(ReadingNames.Flow, Math.Round(flow)),
                new(ReadingNames.Occupancy, Math.Round(Math.Min(98, 60 * demand), 1)),
            ]
            : [new(ReadingNames.Speed, Math.Round(speed, 1))];
    }

    private ReadingValues Streetlight(DateTimeOffset time, double noise)
    {
        var hour = _timeZone.ToLocal(time).TimeOfDay.TotalHours;
        var on = hour is < 5.75 or >= 18.0 ? 1.0 : 0.0;
        return [new(ReadingNames.On, on), new(ReadingNames.Power, Math.Round(on * 120 * noise, 1))];
    }

    /// <summary>string.GetHashCode is randomised per process; the feed must repeat across runs.</summary>
    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }
            return hash;
        }
    }
}
