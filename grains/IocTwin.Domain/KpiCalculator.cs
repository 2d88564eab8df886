using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Rolls segment and sensor state up into district KPIs, and district KPIs up into city KPIs.</summary>
public static class KpiCalculator
{
    public static DistrictKpis ForDistrict(
        IEnumerable<SegmentSnapshot> segments, IEnumerable<SensorSnapshot> directSensors, int openAlerts, DateTimeOffset now) =>
        Roll(segments, directSensors, sector: null, openAlerts, now);

    /// <summary>
    /// The district's KPIs counted over each sector that has sensors there: that sector's sensors and open alerts, and
    /// for traffic also the roads. What a sector's screens show for the district.
    /// </summary>
    public static Dictionary<Sector, DistrictKpis> BySector(
        IReadOnlyCollection<SegmentSnapshot> segments, IReadOnlyCollection<SensorSnapshot> directSensors,
        IEnumerable<Sector> openAlertSectors, DateTimeOffset now)
    {
        var present = new HashSet<Sector>(directSensors.Select(s => s.Sector).Concat(segments.SelectMany(s => s.Sensors).Select(s => s.Sector)));
        if (segments.Count > 0)
        {
            present.Add(Sector.Traffic);
        }
        var alerts = openAlertSectors.CountBy(s => s).ToDictionary();
        return present.ToDictionary(sector => sector, sector => Roll(segments, directSensors, sector, alerts.GetValueOrDefault(sector), now));
    }

    /// <summary>KPIs over every sensor, or over one sector's (roads count for traffic only).</summary>
    private static DistrictKpis Roll(
        IEnumerable<SegmentSnapshot> segments, IEnumerable<SensorSnapshot> directSensors, Sector? sector, int openAlerts, DateTimeOffset now)
    {
        double weightedSpeed = 0, monitoredM = 0, congestedM = 0;
        DateTimeOffset? trafficAsOf = null;
        var sensors = new Accumulator(now, sector);
        var roads = sector is null or Sector.Traffic;

        foreach (var segment in segments)
        {
            var traffic = segment.Traffic;
            if (roads && traffic.SpeedKmh is { } speed && ReadingRanges.Allows(ReadingNames.Speed, speed) &&
                segment.Status is not (SegmentStatus.Closed or SegmentStatus.Flooded))
            {
                weightedSpeed += speed * segment.LengthM;
                monitoredM += segment.LengthM;
                trafficAsOf = Latest(trafficAsOf, traffic.AsOf);
            }
            if (roads && traffic.Los is LevelOfService.E or LevelOfService.F)
            {
                congestedM += segment.LengthM;
            }
            for (var i = 0; i < segment.Sensors.Count; i++)
            {
                sensors.Add(segment.Sensors[i]);
            }
        }
        foreach (var sensor in directSensors)
        {
            sensors.Add(sensor);
        }

        // Each KPI is as of the newest data behind it, so an unchanged twin reads the same whenever it is asked.
        return new DistrictKpis(
            MeanSpeedKmh: monitoredM > 0 ? Known(weightedSpeed / monitoredM, trafficAsOf) : Kpi.Unknown,
            CongestedKm: roads ? Known(congestedM / 1000, trafficAsOf) : Kpi.Unknown,
            WorstAqi: sensors.WorstAqi,
            MaxWaterLevelM: sensors.MaxWaterLevel,
            SensorsOnline: Known(sensors.Online, sensors.NewestSeen),
            SensorsStale: Known(sensors.Stale, sensors.NewestSeen),
            SensorsOffline: Known(sensors.Offline, sensors.NewestSeen),
            OpenAlerts: Known(openAlerts, null),
            MonitoredKm: roads ? Known(monitoredM / 1000, trafficAsOf) : Kpi.Unknown);
    }

    public static DistrictKpis ForCity(IEnumerable<DistrictKpis> districts)
    {
        double weightedSpeed = 0, monitoredKm = 0;
        DateTimeOffset? speedAsOf = null;
        Kpi congested = Kpi.Unknown, aqi = Kpi.Unknown, water = Kpi.Unknown, online = Kpi.Unknown, stale = Kpi.Unknown,
            offline = Kpi.Unknown, alerts = Kpi.Unknown;
        foreach (var district in districts)
        {
            if (district.MeanSpeedKmh.Value is { } speed && district.MonitoredKm.Value is { } km and > 0)
            {
                weightedSpeed += speed * km;
                monitoredKm += km;
                speedAsOf = Latest(speedAsOf, district.MeanSpeedKmh.AsOf);
            }
            congested = Sum(congested, district.CongestedKm);
            aqi = Max(aqi, district.WorstAqi);
            water = Max(water, district.MaxWaterLevelM);
            online = Sum(online, district.SensorsOnline);
            stale = Sum(stale, district.SensorsStale);
            offline = Sum(offline, district.SensorsOffline);
            alerts = Sum(alerts, district.OpenAlerts);
        }
        return new DistrictKpis(
            monitoredKm > 0 ? Known(weightedSpeed / monitoredKm, speedAsOf) : Kpi.Unknown,
            congested, aqi, water, online, stale, offline, alerts,
            Known(monitoredKm, speedAsOf));
    }

    /// <summary>
    /// A KPI from arithmetic: bounded readings keep it finite, and should anything still overflow the KPI is unknown
    /// rather than a number no screen, serializer or history can hold.
    /// </summary>
    private static Kpi Known(double value, DateTimeOffset? asOf) => double.IsFinite(value) ? new Kpi(value, asOf) : Kpi.Unknown;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => b > (a ?? DateTimeOffset.MinValue) ? b : a;

    private static Kpi Sum(Kpi total, Kpi part) => part.Value is not { } value
        ? total
        : Known((total.Value ?? 0) + value, Latest(total.AsOf, part.AsOf));

    private static Kpi Max(Kpi best, Kpi candidate) => candidate.Value is { } value && value > (best.Value ?? double.MinValue)
        ? candidate
        : best;

    /// <summary>Sensor counts by health, and the worst environmental values among sensors still online or stale.</summary>
    private sealed class Accumulator(DateTimeOffset now, Sector? sector)
    {
        public int Online, Stale, Offline;
        public Kpi WorstAqi = Kpi.Unknown, MaxWaterLevel = Kpi.Unknown;
        public DateTimeOffset? NewestSeen;

        public void Add(SensorSnapshot sensor)
        {
            if (sector is { } only && sensor.Sector != only)
            {
                return;
            }
            NewestSeen = Latest(NewestSeen, sensor.LastSeen);
            var health = HealthPolicy.Classify(sensor.LastSeen, now);
            switch (health)
            {
                case SensorHealth.Online: Online++; break;
                case SensorHealth.Stale: Stale++; break;
                default: Offline++; return;
            }
            if (sensor.Kind == SensorKind.AirQuality && sensor.Values.TryGetValue(ReadingNames.Aqi, out var aqi) &&
                ReadingRanges.Allows(ReadingNames.Aqi, aqi))
            {
                WorstAqi = Max(WorstAqi, Known(aqi, sensor.LastSeen));
            }
            if (sensor.Kind == SensorKind.WaterLevel && sensor.Values.TryGetValue(ReadingNames.Level, out var level) &&
                ReadingRanges.Allows(ReadingNames.Level, level))
            {
                MaxWaterLevel = Max(MaxWaterLevel, Known(level, sensor.LastSeen));
            }
        }
    }
}
