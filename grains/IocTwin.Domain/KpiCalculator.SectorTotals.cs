using IocTwin.Model;

namespace IocTwin.Domain;

public static partial class KpiCalculator
{
    /// <summary>
    /// An area's totals of each of its segments' sensors as last gathered, kept between the area's reports. A leaf area
    /// reports every rollup cycle while any of its roads changes, and counting all its sensors each time was a fifth of
    /// a silo's CPU at city scale (500,000 sensors in 900 wards); now only the segments whose snapshot changed, or one of
    /// whose sensors' health has turned since, are counted sensor by sensor. Not thread-safe: one per area grain.
    /// </summary>
    public sealed class SegmentTotals
    {
        // Counted at CountedAt under a catalogue (value ranges), true until HoldsUntil: a clock set back (a replay, a test)
        // or a catalogue the city changed counts again too.
        private sealed class Entry(SegmentSnapshot snapshot, GatheredSegment totals, DateTimeOffset countedAt, DateTimeOffset holdsUntil,
            SectorCatalog catalog)
        {
            public readonly SegmentSnapshot Snapshot = snapshot;
            public readonly SectorCatalog Catalog = catalog;
            public readonly GatheredSegment Totals = totals;
            public readonly DateTimeOffset CountedAt = countedAt;
            public readonly DateTimeOffset HoldsUntil = holdsUntil;
            public long Pass;
        }

        private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
        private long _pass;

        /// <summary>
        /// Whether kept totals count as sensor by sensor would: not with the sectors' KPI rules, whose means and sums
        /// would add up in another grouping and differ in their last digits.
        /// </summary>
        internal static bool Exact => SectorCatalog.Current.KpiRules.Count == 0;

        internal GatheredSegment Of(SegmentSnapshot segment, DateTimeOffset now)
        {
            var catalog = SectorCatalog.Current;
            if (_entries.TryGetValue(segment.SegmentId, out var kept) && ReferenceEquals(kept.Snapshot, segment) &&
                now >= kept.CountedAt && now <= kept.HoldsUntil && ReferenceEquals(kept.Catalog, catalog))
            {
                kept.Pass = _pass;
                return kept.Totals;
            }
            var all = new SectorTotals(default);
            var bySector = new SectorTotalsBySector(now);
            var holdsUntil = DateTimeOffset.MaxValue;
            for (var i = 0; i < segment.Sensors.Count; i++)
            {
                var sensor = segment.Sensors[i];
                var health = bySector.Add(all, sensor);
                var until = HealthPolicy.HoldsUntil(sensor.LastSeen, health);
                holdsUntil = until < holdsUntil ? until : holdsUntil;
            }
            var gathered = new GatheredSegment(all, bySector.All);
            _entries[segment.SegmentId] = new Entry(segment, gathered, now, holdsUntil, catalog) { Pass = _pass };
            return gathered;
        }

        /// <summary>Ends a pass over the area's segments: totals of segments no longer in it are let go.</summary>
        internal void Forget(int segmentCount)
        {
            if (_entries.Count > segmentCount)
            {
                foreach (var (id, entry) in _entries)
                {
                    if (entry.Pass != _pass)
                    {
                        _entries.Remove(id);
                    }
                }
            }
            _pass++;
        }
    }

    /// <summary>A segment's sensors gathered: all of them, and each sector's.</summary>
    internal sealed record GatheredSegment(SectorTotals All, List<SectorTotals> Sectors);

    /// <summary>Totals per sector, found without hashing for the common case of sensors of one sector coming together.</summary>
    internal sealed class SectorTotalsBySector(DateTimeOffset now)
    {
        private SectorTotals? _last;

        // A segment or an area holds sensors of a few sectors: room for them from the start.
        public List<SectorTotals> All { get; } = new(4);

        public SectorTotals For(Sector sector)
        {
            if (_last is { } last && last.Sector == sector)
            {
                return last;
            }
            foreach (var totals in All)
            {
                if (totals.Sector == sector)
                {
                    return _last = totals;
                }
            }
            All.Add(_last = new SectorTotals(sector));
            return _last;
        }

        /// <summary>Adds a sensor to the whole area's totals and to its sector's, classified once; its health.</summary>
        public SensorHealth Add(SectorTotals all, SensorSnapshot sensor)
        {
            var health = HealthPolicy.Classify(sensor.LastSeen, now);
            all.Add(sensor, health);
            For(sensor.Sector).Add(sensor, health);
            return health;
        }
    }

    /// <summary>
    /// Sensor counts by health, and the worst environmental values and the sectors' rule KPIs among sensors still online
    /// or stale, of one sector (or, with the default sector, of all).
    /// </summary>
    /// <remarks>
    /// An area keeps some of these for each of its segments between reports (<see cref="SegmentTotals"/>), so they hold
    /// no more than the totals: no clock, and no rules' KPIs unless the sectors define rules.
    /// </remarks>
    internal sealed class SectorTotals(Sector sector)
    {
        public int Online, Stale, Offline;
        public Kpi WorstAqi = Kpi.Unknown, MaxWaterLevel = Kpi.Unknown;
        public DateTimeOffset? NewestSeen;
        private RuleKpis? _rules;

        public Sector Sector => sector;

        /// <summary>The sectors' rule KPIs gathered, null when no rule had a value (the defaults define none).</summary>
        public IReadOnlyDictionary<string, RuleKpi>? RuleValues => _rules?.Values;

        public void Add(SensorSnapshot sensor, DateTimeOffset now) => Add(sensor, HealthPolicy.Classify(sensor.LastSeen, now));

        public void Add(SensorSnapshot sensor, SensorHealth health)
        {
            NewestSeen = Latest(NewestSeen, sensor.LastSeen);
            switch (health)
            {
                case SensorHealth.Online: Online++; break;
                case SensorHealth.Stale: Stale++; break;
                default: Offline++; return;
            }
            if (sensor.Kind == SensorKind.AirQuality && sensor.Values.TryGetValue(ReadingNames.Aqi, out var aqi) &&
                ReadingRanges.Allows(ReadingNames.Aqi, aqi))
            {
                // A KPI made only for a new worst: most sensors' values are not.
                WorstAqi = aqi > (WorstAqi.Value ?? double.MinValue) ? Known(aqi, sensor.LastSeen) : WorstAqi;
            }
            if (sensor.Kind == SensorKind.WaterLevel && sensor.Values.TryGetValue(ReadingNames.Level, out var level) &&
                ReadingRanges.Allows(ReadingNames.Level, level))
            {
                MaxWaterLevel = level > (MaxWaterLevel.Value ?? double.MinValue) ? Known(level, sensor.LastSeen) : MaxWaterLevel;
            }
            if (SectorCatalog.Current.KpiRules is { Count: > 0 } rules)
            {
                (_rules ??= new RuleKpis(rules)).Add(sensor);
            }
        }

        /// <summary>Adds totals gathered earlier, as adding their sensors one by one in the same order would.</summary>
        public void Add(SectorTotals part)
        {
            Online += part.Online;
            Stale += part.Stale;
            Offline += part.Offline;
            NewestSeen = Latest(NewestSeen, part.NewestSeen);
            WorstAqi = Max(WorstAqi, part.WorstAqi);
            MaxWaterLevel = Max(MaxWaterLevel, part.MaxWaterLevel);
            if (part.RuleValues is { } values)
            {
                (_rules ??= new RuleKpis(SectorCatalog.Current.KpiRules)).Add(values);
            }
        }
    }
}
