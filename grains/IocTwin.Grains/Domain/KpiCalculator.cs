using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Rolls segment and sensor state up into district KPIs, and district KPIs up into city KPIs.</summary>
public static class KpiCalculator
{
    public static DistrictKpis ForDistrict(
        IEnumerable<SegmentSnapshot> segments, IEnumerable<SensorSnapshot> directSensors, int openAlerts, DateTimeOffset now)
    {
        double weightedSpeed = 0, monitoredM = 0, congestedM = 0;
        DateTimeOffset? trafficAsOf = null;
        var sensors = new Accumulator(now);

        foreach (var segment in segments)
        {
            var traffic = segment.Traffic;
            if (traffic.SpeedKmh is { } speed && segment.Status is not (SegmentStatus.Closed or SegmentStatus.Flooded))
            {
                weightedSpeed += speed * segment.LengthM;
                monitoredM += segment.LengthM;
                trafficAsOf = Latest(trafficAsOf, traffic.AsOf);
            }
            if (traffic.Los is LevelOfService.E or LevelOfService.F)
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
            MeanSpeedKmh: monitoredM > 0 ? new Kpi(weightedSpeed / monitoredM, trafficAsOf) : Kpi.Unknown,
            CongestedKm: new Kpi(congestedM / 1000, trafficAsOf),
            WorstAqi: sensors.WorstAqi,
            MaxWaterLevelM: sensors.MaxWaterLevel,
            SensorsOnline: new Kpi(sensors.Online, sensors.NewestSeen),
            SensorsStale: new Kpi(sensors.Stale, sensors.NewestSeen),
            SensorsOffline: new Kpi(sensors.Offline, sensors.NewestSeen),
            OpenAlerts: new Kpi(openAlerts, null),
            MonitoredKm: new Kpi(monitoredM / 1000, trafficAsOf));
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
            monitoredKm > 0 ? new Kpi(weightedSpeed / monitoredKm, speedAsOf) : Kpi.Unknown,
            congested, aqi, water, online, stale, offline, alerts,
            new Kpi(monitoredKm, speedAsOf));
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => b > (a ?? DateTimeOffset.MinValue) ? b : a;

    private static Kpi Sum(Kpi total, Kpi part) => part.Value is not { } value
        ? total
        : new Kpi((total.Value ?? 0) + value, Latest(total.AsOf, part.AsOf));

    private static Kpi Max(Kpi best, Kpi candidate) => candidate.Value is { } value && value > (best.Value ?? double.MinValue)
        ? candidate
        : best;

    /// <summary>Sensor counts by health, and the worst environmental values among sensors still online or stale.</summary>
    private sealed class Accumulator(DateTimeOffset now)
    {
        public int Online, Stale, Offline;
        public Kpi WorstAqi = Kpi.Unknown, MaxWaterLevel = Kpi.Unknown;
        public DateTimeOffset? NewestSeen;

        public void Add(SensorSnapshot sensor)
        {
            NewestSeen = Latest(NewestSeen, sensor.LastSeen);
            var health = HealthPolicy.Classify(sensor.LastSeen, now);
            switch (health)
            {
                case SensorHealth.Online: Online++; break;
                case SensorHealth.Stale: Stale++; break;
                default: Offline++; return;
            }
            if (sensor.Kind == SensorKind.AirQuality && sensor.Values.TryGetValue(ReadingNames.Aqi, out var aqi))
            {
                WorstAqi = Max(WorstAqi, new Kpi(aqi, sensor.LastSeen));
            }
            if (sensor.Kind == SensorKind.WaterLevel && sensor.Values.TryGetValue(ReadingNames.Level, out var level))
            {
                MaxWaterLevel = Max(MaxWaterLevel, new Kpi(level, sensor.LastSeen));
            }
        }
    }
}
