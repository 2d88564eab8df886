using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Rolls segment and sensor state up into district KPIs, and district KPIs up into city KPIs.</summary>
public static partial class KpiCalculator
{
    public static DistrictKpis ForDistrict(
        IEnumerable<SegmentSnapshot> segments, IEnumerable<SensorSnapshot> directSensors, int openAlerts, DateTimeOffset now)
    {
        var roads = new RoadAccumulator();
        var sensors = new SectorTotals(default);
        foreach (var segment in segments)
        {
            roads.Add(segment);
            for (var i = 0; i < segment.Sensors.Count; i++)
            {
                sensors.Add(segment.Sensors[i], now);
            }
        }
        foreach (var sensor in directSensors)
        {
            sensors.Add(sensor, now);
        }
        return Kpis(roads, sensors, openAlerts, countsRoads: true);
    }

    /// <summary>
    /// The district's KPIs counted over each sector that has sensors there: that sector's sensors and open alerts, and
    /// for traffic also the roads. What a sector's screens show for the district.
    /// </summary>
    public static Dictionary<Sector, DistrictKpis> BySector(
        IReadOnlyCollection<SegmentSnapshot> segments, IReadOnlyCollection<SensorSnapshot> directSensors,
        IEnumerable<Sector> openAlertSectors, DateTimeOffset now) =>
        ForDistrictAndSectors(segments, directSensors, openAlertSectors.ToList(), now).Sectors;

    /// <summary>
    /// The district's KPIs and each sector's (see <see cref="BySector"/>) in one pass over its roads and sensors: a
    /// district publishes both every few tens of milliseconds while its sensors report.
    /// </summary>
    /// <param name="segmentTotals">
    /// The area's totals of each segment's sensors as last gathered: a segment whose snapshot and sensors' health have not
    /// changed since is counted from them instead of sensor by sensor, with the same result (so not while the sectors
    /// define KPI rules of their own, which would add up in another grouping).
    /// </param>
    public static (DistrictKpis District, Dictionary<Sector, DistrictKpis> Sectors) ForDistrictAndSectors(
        IReadOnlyCollection<SegmentSnapshot> segments, IReadOnlyCollection<SensorSnapshot> directSensors,
        IReadOnlyCollection<Sector> openAlertSectors, DateTimeOffset now, SegmentTotals? segmentTotals = null)
    {
        var roads = new RoadAccumulator();
        var all = new SectorTotals(default);
        var bySector = new SectorTotalsBySector(now);
        var kept = SegmentTotals.Exact ? segmentTotals : null;
        foreach (var segment in segments)
        {
            roads.Add(segment);
            if (kept is null)
            {
                for (var i = 0; i < segment.Sensors.Count; i++)
                {
                    bySector.Add(all, segment.Sensors[i]);
                }
            }
            else
            {
                var gathered = kept.Of(segment, now);
                all.Add(gathered.All);
                foreach (var sector in gathered.Sectors)
                {
                    bySector.For(sector.Sector).Add(sector);
                }
            }
        }
        kept?.Forget(segments.Count);
        foreach (var sensor in directSensors)
        {
            bySector.Add(all, sensor);
        }
        var sectorTotals = bySector.All;
        if (segments.Count > 0)
        {
            bySector.For(Sector.Traffic);
        }
        var alerts = openAlertSectors.Count == 0 ? null : openAlertSectors.CountBy(s => s).ToDictionary();
        var sectors = new Dictionary<Sector, DistrictKpis>(sectorTotals.Count);
        foreach (var totals in sectorTotals)
        {
            sectors[totals.Sector] = Kpis(roads, totals, alerts?.GetValueOrDefault(totals.Sector) ?? 0, countsRoads: totals.Sector == Sector.Traffic);
        }
        return (Kpis(roads, all, openAlertSectors.Count, countsRoads: true), sectors);
    }

    /// <summary>KPIs of the roads (when they count: the whole district, or traffic) and of the sensors gathered.</summary>
    private static DistrictKpis Kpis(RoadAccumulator roads, SectorTotals sensors, int openAlerts, bool countsRoads) =>
        // Each KPI is as of the newest data behind it, so an unchanged twin reads the same whenever it is asked.
        new(
            MeanSpeedKmh: countsRoads && roads.MonitoredM > 0 ? Known(roads.WeightedSpeed / roads.MonitoredM, roads.AsOf) : Kpi.Unknown,
            CongestedKm: countsRoads ? Known(roads.CongestedM / 1000, roads.AsOf) : Kpi.Unknown,
            WorstAqi: sensors.WorstAqi,
            MaxWaterLevelM: sensors.MaxWaterLevel,
            SensorsOnline: Known(sensors.Online, sensors.NewestSeen),
            SensorsStale: Known(sensors.Stale, sensors.NewestSeen),
            SensorsOffline: Known(sensors.Offline, sensors.NewestSeen),
            OpenAlerts: Known(openAlerts, null),
            MonitoredKm: countsRoads ? Known(roads.MonitoredM / 1000, roads.AsOf) : Kpi.Unknown,
            Rules: sensors.RuleValues);

    /// <summary>Length-weighted speed and congested length over the open, measured roads.</summary>
    private sealed class RoadAccumulator
    {
        public double WeightedSpeed, MonitoredM, CongestedM;
        public DateTimeOffset? AsOf;

        public void Add(SegmentSnapshot segment)
        {
            var traffic = segment.Traffic;
            if (traffic.SpeedKmh is { } speed && ReadingRanges.Allows(ReadingNames.Speed, speed) &&
                segment.Status is not (SegmentStatus.Closed or SegmentStatus.Flooded))
            {
                WeightedSpeed += speed * segment.LengthM;
                MonitoredM += segment.LengthM;
                AsOf = Latest(AsOf, traffic.AsOf);
            }
            if (traffic.Los is LevelOfService.E or LevelOfService.F)
            {
                CongestedM += segment.LengthM;
            }
        }
    }

    /// <summary>
    /// An area's KPIs (whole and per sector) from those of its own segments and sensors and those of its child areas,
    /// combined as <see cref="ForCity"/> combines: sums, maxima, and speed weighted by monitored length, so every
    /// level is exact over the roads and sensors below it, never an average of averages.
    /// </summary>
    public static (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) ForArea(
        (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) own, bool hasOwnMembers,
        IReadOnlyCollection<DistrictSnapshot> children)
    {
        if (children.Count == 0)
        {
            return own;
        }
        // Every area above the wards does this at each of its reports, several a second: plain loops over one list of
        // parts, reused per sector, rather than a query per sector.
        var parts = new List<DistrictKpis>(children.Count + 1);
        if (hasOwnMembers)
        {
            parts.Add(own.Area);
        }
        // The sectors in order of first appearance: the area's own, then its children's.
        var sectorOrder = new List<Sector>(hasOwnMembers ? own.Sectors.Count : 4);
        if (hasOwnMembers)
        {
            sectorOrder.AddRange(own.Sectors.Keys);
        }
        foreach (var child in children)
        {
            parts.Add(child.Kpis);
            if (child.Sectors is { } childSectors)
            {
                foreach (var sector in childSectors.Keys)
                {
                    if (!sectorOrder.Contains(sector))
                    {
                        sectorOrder.Add(sector);
                    }
                }
            }
        }
        var area = ForCity(parts);
        var sectors = new Dictionary<Sector, DistrictKpis>(sectorOrder.Count);
        foreach (var sector in sectorOrder)
        {
            parts.Clear();
            if (hasOwnMembers && own.Sectors.TryGetValue(sector, out var mine))
            {
                parts.Add(mine);
            }
            foreach (var child in children)
            {
                if (child.Sectors?.GetValueOrDefault(sector) is { } theirs)
                {
                    parts.Add(theirs);
                }
            }
            sectors[sector] = ForCity(parts);
        }
        return (area, sectors);
    }

    /// <summary>
    /// The KPIs of some sectors in an area, from its KPIs per sector. Sectors share no sensor, alert or road, so their
    /// KPIs add up as areas' do into the city's.
    /// </summary>
    public static DistrictKpis ForSectors(IReadOnlyDictionary<Sector, DistrictKpis>? bySector, IEnumerable<Sector> sectors)
    {
        var own = sectors.Select(s => bySector?.GetValueOrDefault(s)).OfType<DistrictKpis>().ToList();
        return own.Count switch
        {
            0 => DistrictKpis.Empty,
            1 => own[0],
            _ => ForCity(own),
        };
    }

    public static DistrictKpis ForCity(IEnumerable<DistrictKpis> districts)
    {
        // Totals are kept as numbers and made KPIs once: the city and every area above the wards combine their parts
        // at each report, and a KPI per part and sum would be most of what that allocates.
        double weightedSpeed = 0, monitoredKm = 0;
        DateTimeOffset? speedAsOf = null;
        Total congested = default, online = default, stale = default, offline = default, alerts = default,
            openReports = default, overdueReports = default;
        Kpi aqi = Kpi.Unknown, water = Kpi.Unknown;
        var rules = new RuleKpis([]);
        foreach (var district in districts)
        {
            rules.Add(district.Rules);
            if (district.MeanSpeedKmh.Value is { } speed && district.MonitoredKm.Value is { } km and > 0)
            {
                weightedSpeed += speed * km;
                monitoredKm += km;
                speedAsOf = Latest(speedAsOf, district.MeanSpeedKmh.AsOf);
            }
            congested.Add(district.CongestedKm);
            aqi = Max(aqi, district.WorstAqi);
            water = Max(water, district.MaxWaterLevelM);
            online.Add(district.SensorsOnline);
            stale.Add(district.SensorsStale);
            offline.Add(district.SensorsOffline);
            alerts.Add(district.OpenAlerts);
            openReports.Add(district.OpenReports);
            overdueReports.Add(district.OverdueReports);
        }
        return new DistrictKpis(
            monitoredKm > 0 ? Known(weightedSpeed / monitoredKm, speedAsOf) : Kpi.Unknown,
            congested.Kpi, aqi, water, online.Kpi, stale.Kpi, offline.Kpi, alerts.Kpi,
            Known(monitoredKm, speedAsOf), rules.Values)
        {
            OpenReports = openReports.Kpi,
            OverdueReports = overdueReports.Kpi,
        };
    }

    /// <summary>A sum of KPIs: unknown while no part is known, as of the newest part.</summary>
    private struct Total
    {
        private double _value;
        private bool _known;
        private DateTimeOffset? _asOf;

        public void Add(Kpi? part)
        {
            if (part?.Value is { } value)
            {
                _value += value;
                _known = true;
                _asOf = Latest(_asOf, part.AsOf);
            }
        }

        public readonly Kpi Kpi => _known ? Known(_value, _asOf) : Kpi.Unknown;
    }

    /// <summary>
    /// An area's own KPIs (whole and per sector) with its open citizen reports counted in: open, and overdue past their
    /// deadline. A sector with reports but no sensors in the area gets KPIs of its reports alone.
    /// </summary>
    public static (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) WithReports(
        (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) own, IReadOnlyCollection<OpenReport> reports, DateTimeOffset now)
    {
        var sectors = new Dictionary<Sector, DistrictKpis>(own.Sectors.Count);
        var bySector = new Dictionary<Sector, (int Open, int Overdue)>();
        var overdue = 0;
        foreach (var report in reports)
        {
            var late = now > report.DueAt ? 1 : 0;
            overdue += late;
            var (sectorOpen, sectorOverdue) = bySector.GetValueOrDefault(report.Sector);
            bySector[report.Sector] = (sectorOpen + 1, sectorOverdue + late);
        }
        // The area's own sectors first, then those with reports alone, in order of their first report.
        foreach (var (sector, kpis) in own.Sectors)
        {
            var (sectorOpen, sectorOverdue) = bySector.GetValueOrDefault(sector);
            sectors[sector] = Counted(kpis, sectorOpen, sectorOverdue);
        }
        foreach (var (sector, (sectorOpen, sectorOverdue)) in bySector)
        {
            sectors.TryAdd(sector, Counted(DistrictKpis.Empty, sectorOpen, sectorOverdue));
        }
        return (Counted(own.Area, reports.Count, overdue), sectors);
    }

    private static DistrictKpis Counted(DistrictKpis kpis, int open, int overdue) => kpis with
    {
        OpenReports = Count(open),
        OverdueReports = Count(overdue),
    };

    private static readonly Kpi NoneCounted = new(0, null);

    private static Kpi Count(int count) => count == 0 ? NoneCounted : new Kpi(count, null);

    /// <summary>
    /// A KPI from arithmetic: bounded readings keep it finite, and should anything still overflow the KPI is unknown
    /// rather than a number no screen, serializer or history can hold.
    /// </summary>
    private static Kpi Known(double value, DateTimeOffset? asOf) => double.IsFinite(value) ? new Kpi(value, asOf) : Kpi.Unknown;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => b > (a ?? DateTimeOffset.MinValue) ? b : a;

    private static Kpi Max(Kpi best, Kpi candidate) => candidate.Value is { } value && value > (best.Value ?? double.MinValue)
        ? candidate
        : best;
}
