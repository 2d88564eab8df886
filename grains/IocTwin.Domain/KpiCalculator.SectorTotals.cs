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
        // or a catalogue the city changed counts again too. Counted again in place: a busy area recounts several of its
        // segments at every report, and new totals each time were garbage, or survived until the segment changed again.
        private sealed class Entry
        {
            public SegmentSnapshot? Snapshot;
            public SectorCatalog? Catalog;
            public readonly SectorTotals All = new(default);
            public readonly List<SectorTotals> Sectors = new(4);
            public DateTimeOffset CountedAt;
            public DateTimeOffset HoldsUntil;
            public long Pass;
        }

        private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
        // Sectors' totals an entry no longer needs, taken before new ones when an entry is counted again.
        private readonly Stack<SectorTotals> _spare = new();
        private readonly SectorTotalsBySector _counting = new(default);
        private long _pass;

        /// <summary>
        /// Whether kept totals count as sensor by sensor would: not with the sectors' KPI rules, whose means and sums
        /// would add up in another grouping and differ in their last digits.
        /// </summary>
        internal static bool Exact => SectorCatalog.Current.KpiRules.Count == 0;

        /// <summary>The segment's sensors gathered, all and by sector; valid until the next call.</summary>
        internal (SectorTotals All, List<SectorTotals> Sectors) Of(SegmentSnapshot segment, DateTimeOffset now)
        {
            var catalog = SectorCatalog.Current;
            if (!_entries.TryGetValue(segment.SegmentId, out var entry))
            {
                _entries[segment.SegmentId] = entry = new Entry();
            }
            else if (ReferenceEquals(entry.Snapshot, segment) && now >= entry.CountedAt && now <= entry.HoldsUntil &&
                ReferenceEquals(entry.Catalog, catalog))
            {
                entry.Pass = _pass;
                return (entry.All, entry.Sectors);
            }
            // Not kept until counted through: a count cut short must not be taken for this snapshot's.
            entry.Snapshot = null;
            foreach (var sector in entry.Sectors)
            {
                _spare.Push(sector);
            }
            entry.Sectors.Clear();
            entry.All.Reset(default);
            _counting.Restart(now, entry.Sectors, _spare);
            var holdsUntil = DateTimeOffset.MaxValue;
            for (var i = 0; i < segment.Sensors.Count; i++)
            {
                var sensor = segment.Sensors[i];
                var health = _counting.Add(entry.All, sensor);
                var until = HealthPolicy.HoldsUntil(sensor.LastSeen, health);
                holdsUntil = until < holdsUntil ? until : holdsUntil;
            }
            entry.Snapshot = segment;
            entry.Catalog = catalog;
            entry.CountedAt = now;
            entry.HoldsUntil = holdsUntil;
            entry.Pass = _pass;
            return (entry.All, entry.Sectors);
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

    /// <summary>Totals per sector, found without hashing for the common case of sensors of one sector coming together.</summary>
    internal sealed class SectorTotalsBySector(DateTimeOffset now)
    {
        private DateTimeOffset _now = now;
        private SectorTotals? _last;
        private Stack<SectorTotals>? _spare;

        // A segment or an area holds sensors of a few sectors: room for them from the start.
        public List<SectorTotals> All { get; private set; } = new(4);

        /// <summary>Counts anew into <paramref name="all"/> (empty), taking sectors' totals from the spare ones before making new ones.</summary>
        public void Restart(DateTimeOffset now, List<SectorTotals> all, Stack<SectorTotals> spare)
        {
            _now = now;
            _last = null;
            _spare = spare;
            All = all;
        }

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
            All.Add(_last = _spare is not null && _spare.TryPop(out var spare) ? spare.Reset(sector) : new SectorTotals(sector));
            return _last;
        }

        /// <summary>Adds a sensor to the whole area's totals and to its sector's, classified once; its health.</summary>
        public SensorHealth Add(SectorTotals all, SensorSnapshot sensor)
        {
            var health = HealthPolicy.Classify(sensor.LastSeen, _now);
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

        public Sector Sector { get; private set; } = sector;

        /// <summary>Empties the totals for another count, of <paramref name="sector"/>.</summary>
        public SectorTotals Reset(Sector sector)
        {
            Sector = sector;
            Online = Stale = Offline = 0;
            WorstAqi = MaxWaterLevel = Kpi.Unknown;
            NewestSeen = null;
            _rules = null;
            return this;
        }

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
