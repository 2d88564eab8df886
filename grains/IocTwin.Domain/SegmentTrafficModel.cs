using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Derives a segment's live traffic and level of service from the latest values of its sensors.</summary>
public static class SegmentTrafficModel
{
    /// <summary>Water deeper than this on the carriageway makes an open segment flooded.</summary>
    public const double FloodDepthM = 0.3;

    public static (SegmentStatus Status, SegmentTraffic Traffic) Derive(
        SegmentSpec spec, IEnumerable<SensorSnapshot> sensors, DateTimeOffset now)
    {
        double flowSum = 0, speedSum = 0, occupancySum = 0;
        int flowCount = 0, speedCount = 0, occupancyCount = 0;
        double? waterLevel = null;
        DateTimeOffset? asOf = null;

        foreach (var sensor in sensors)
        {
            // Offline sensors say nothing about the road now.
            if (HealthPolicy.Classify(sensor.LastSeen, now) == SensorHealth.Offline)
            {
                continue;
            }
            var used = false;
            if (sensor.Kind == SensorKind.TrafficCounter || sensor.Kind == SensorKind.SpeedCamera)
            {
                used |= Add(sensor, ReadingNames.Flow, ref flowSum, ref flowCount);
                used |= Add(sensor, ReadingNames.Speed, ref speedSum, ref speedCount);
                used |= Add(sensor, ReadingNames.Occupancy, ref occupancySum, ref occupancyCount);
            }
            else if (sensor.Kind == SensorKind.WaterLevel && sensor.Values.TryGetValue(ReadingNames.Level, out var level) &&
                     ReadingRanges.Allows(ReadingNames.Level, level))
            {
                waterLevel = Math.Max(waterLevel ?? double.MinValue, level);
                used = true;
            }
            if (used && sensor.LastSeen > (asOf ?? DateTimeOffset.MinValue))
            {
                asOf = sensor.LastSeen;
            }
        }

        double? flow = flowCount > 0 ? flowSum / flowCount : null;
        double? speed = speedCount > 0 ? speedSum / speedCount : null;
        double? occupancy = occupancyCount > 0 ? occupancySum / occupancyCount : null;
        if (speed is null && flow is { } f)
        {
            speed = BprSpeed(spec.FreeFlowSpeedKmh, f / spec.CapacityVph);
        }

        var status = spec.Status == SegmentStatus.Open && waterLevel > FloodDepthM ? SegmentStatus.Flooded : spec.Status;
        LevelOfService? los = status is SegmentStatus.Closed or SegmentStatus.Flooded
            ? null
            : LevelOf(speed, flow, spec);
        return (status, new SegmentTraffic(flow, speed, occupancy, los, waterLevel, asOf));
    }

    /// <summary>BPR volume-delay speed: free-flow speed slowed by the volume/capacity ratio.</summary>
    public static double BprSpeed(double freeFlowSpeedKmh, double volumeToCapacity) =>
        freeFlowSpeedKmh / (1 + 0.15 * Math.Pow(Math.Max(0, volumeToCapacity), 4));

    /// <summary>
    /// The worse of two readings of the road: urban-street LOS by travel speed as a share of free-flow speed
    /// (HCM thresholds 85/67/50/40/30 %), and LOS by volume/capacity ratio (0.6/0.7/0.8/0.9/1.0), so a road
    /// at capacity is at least E even while it still moves fast.
    /// </summary>
    public static LevelOfService? LevelOf(double? speedKmh, double? flowVph, SegmentSpec spec)
    {
        LevelOfService? bySpeed = speedKmh is { } speed
            ? (speed / spec.FreeFlowSpeedKmh) switch
            {
                > 0.85 => LevelOfService.A,
                > 0.67 => LevelOfService.B,
                > 0.50 => LevelOfService.C,
                > 0.40 => LevelOfService.D,
                > 0.30 => LevelOfService.E,
                _ => LevelOfService.F,
            }
            : null;
        LevelOfService? byDemand = flowVph is { } flow
            ? (flow / spec.CapacityVph) switch
            {
                <= 0.6 => LevelOfService.A,
                <= 0.7 => LevelOfService.B,
                <= 0.8 => LevelOfService.C,
                <= 0.9 => LevelOfService.D,
                <= 1.0 => LevelOfService.E,
                _ => LevelOfService.F,
            }
            : null;
        return bySpeed > byDemand || byDemand is null ? bySpeed : byDemand;
    }

    private static bool Add(SensorSnapshot sensor, string name, ref double sum, ref int count)
    {
        if (!sensor.Values.TryGetValue(name, out var value) || !ReadingRanges.Allows(name, value))
        {
            return false;
        }
        sum += value;
        count++;
        return true;
    }
}
