using System.Diagnostics;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Telemetry;
using IocTwin.Topology;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The districts, segments, sensors and open alerts this API process holds, kept current by the live updates its
/// observer receives, so that a snapshot is copied from memory instead of read from tens of thousands of grains. A
/// district is read from its grains (in parallel) the first time a snapshot needs it; updates that arrive meanwhile are
/// kept and laid over what was read, newer wins (districts and segments by version, sensors by reading count, alerts by
/// state), as a screen merges deltas.
/// A district is read again when its members are not those held or an update names a segment or sensor it does not
/// hold (registered or removed since), in the background when its read is older than
/// <see cref="StreamingOptions.HeldStateRefresh"/> (an update lost on the way heals), and everything is dropped when the
/// observer was not registered for a while or the registry forgot it (<see cref="Forget"/>). The process fills it at start (<see cref="FillAsync"/>),
/// so that its first city screen is copied from memory too.
/// </summary>
public sealed class HeldTwin(IGrainFactory grains, IOptions<StreamingOptions> options, TimeProvider time, ILogger<HeldTwin> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HeldDistrict> _districts = [];
    private readonly TaskCompletionSource _firstFill = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _districtsRead;
    private long _generation;
    // Topology changes told so far, and the last that named each area or all of them: views given for an area changed
    // since they were taken are not used (a PUT may have changed a record while its import was being stored).
    private long _changes;
    private long _everythingChangedAt;
    private readonly Dictionary<string, long> _areaChangedAt = new(StringComparer.Ordinal);

    /// <summary>
    /// Goes up whenever the topology held may have changed (an update named an entity not held, areas were told to have
    /// changed, or everything was forgotten): records taken from it before are to be taken again.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Whether every area of the city has been held once since the process started (readiness waits for it).</summary>
    public bool IsFilled => _firstFill.Task.IsCompleted;

    /// <summary>How many areas are held, read from their grains at least once since last forgotten.</summary>
    public int HeldDistricts
    {
        get
        {
            lock (_gate)
            {
                return _districts.Values.Count(d => d.ReadAt != 0);
            }
        }
    }

    /// <summary>How many topology changes were told so far: what views given with a change were taken after.</summary>
    public long Changes
    {
        get
        {
            lock (_gate)
            {
                return _changes;
            }
        }
    }

    /// <summary>How many areas this process has read from their grains for snapshots, every read counted.</summary>
    public long DistrictsRead => Interlocked.Read(ref _districtsRead);

    /// <summary>
    /// Reads every area of the city not held yet, in one read with its calls in flight bounded, as a first city snapshot
    /// would. A snapshot that needs an area while this runs waits for this read of it rather than reading it again.
    /// </summary>
    public async Task FillAsync()
    {
        await EnsureHeldAsync(await LiveTopology.DistrictIdsAsync(grains));
        _firstFill.TrySetResult();
    }

    /// <summary>
    /// The records of these districts as held now, each district read from its grains first if need be, or again when
    /// its members (asked of each district, side by side) are not those held: an entity registered or removed since.
    /// </summary>
    public async Task<TwinViews> ReadAsync(IReadOnlyList<string> districtIds)
    {
        var members = Task.WhenAll(districtIds.Select(id => grains.GetGrain<IDistrictGrain>(id).GetMembers()));
        for (var attempt = 1; ; attempt++)
        {
            await EnsureHeldAsync(districtIds);
            var current = await members;
            lock (_gate)
            {
                var changed = districtIds.Select((id, i) => (Held: _districts.GetValueOrDefault(id), Members: current[i]))
                    .Where(d => d.Held is not { ReadAt: not 0 } || (attempt == 1 && !d.Held.Holds(d.Members)))
                    .ToList();
                if (changed.Count > 0 && attempt < 3)
                {
                    // Forgotten while being read, or its topology changed: read again rather than answer without it.
                    changed.ForEach(d => d.Held?.IsMissing = true);
                    Interlocked.Increment(ref _generation);
                    continue;
                }
                var views = new TwinViews([], [], []);
                foreach (var held in districtIds.Select(id => _districts.GetValueOrDefault(id)))
                {
                    if (held is { ReadAt: not 0, District: { } district })
                    {
                        views.Districts.Add(district);
                        views.Segments.AddRange(held.Segments.Values);
                        views.Sensors.AddRange(held.Sensors.Values);
                    }
                }
                return views;
            }
        }
    }

    /// <summary>
    /// The open alerts of these areas as held now, and the areas not held (not read since last forgotten), whose alerts
    /// are for the caller to ask their grains.
    /// </summary>
    public (List<AlertView> Open, List<string> NotHeld) OpenAlerts(IEnumerable<string> areaIds)
    {
        lock (_gate)
        {
            List<AlertView> open = [];
            List<string> notHeld = [];
            foreach (var id in areaIds)
            {
                if (_districts.GetValueOrDefault(id) is { ReadAt: not 0 } held)
                {
                    open.AddRange(held.Alerts.Values.Where(a => a.State != AlertState.Resolved));
                }
                else
                {
                    notHeld.Add(id);
                }
            }
            return (open, notHeld);
        }
    }

    /// <summary>Lays a batch of live updates over the districts held or being read; others are left to their grains.</summary>
    public void Apply(DistrictUpdate[] updates)
    {
        lock (_gate)
        {
            foreach (var update in updates)
            {
                if (!_districts.TryGetValue(update.DistrictId, out var held))
                {
                    continue;
                }
                var district = new DistrictView(update.DistrictId, update.Name, NameEn: null, Boundary: null, update.Kpis,
                    SegmentCount: null, SensorCount: null, update.Version, update.Sectors, ParentId: update.ParentId);
                held.District = held.District is { } heldDistrict ? HeldRecordMerge.Newer(heldDistrict, district) : district;
                var wasMissing = held.IsMissing;
                foreach (var segment in update.Segments)
                {
                    held.IsMissing |= !held.Segments.ContainsKey(segment.Id);
                    held.Segments[segment.Id] = held.Segments.TryGetValue(segment.Id, out var known) ? HeldRecordMerge.Newer(known, segment) : segment;
                }
                foreach (var sensor in update.Sensors)
                {
                    held.IsMissing |= !held.Sensors.ContainsKey(sensor.Id);
                    held.Sensors[sensor.Id] = held.Sensors.TryGetValue(sensor.Id, out var known) ? HeldRecordMerge.Newer(known, sensor) : sensor;
                }
                foreach (var alert in update.Alerts)
                {
                    var laid = held.Alerts.TryGetValue(alert.Id, out var known) ? HeldRecordMerge.Newer(known, alert) : alert;
                    held.Alerts[alert.Id] = laid;
                    held.AlertsDuringRead?.Add(laid);
                }
                if (update.Alerts.Length > 0)
                {
                    DropLongResolved(held.Alerts);
                }
                if (held.IsMissing && !wasMissing && held.ReadAt != 0)
                {
                    Interlocked.Increment(ref _generation);
                }
            }
        }
    }

    /// <summary>
    /// These areas' segments, sensors or parent changed (every area when none are named): each is read again the next
    /// time it is needed, or by a fill. <paramref name="stored"/>: segments and sensors this process has just stored
    /// (an import's new rows), taken when <see cref="Changes"/> was <paramref name="storedSince"/>, whose views that read
    /// takes as given instead of activating their grains, unless their area was told of another change since; views
    /// given before for these areas are dropped, since the change may have been made to them.
    /// </summary>
    public void Invalidate(IReadOnlyCollection<string> areaIds, TwinViews? stored = null, long storedSince = 0)
    {
        lock (_gate)
        {
            bool ChangedSince(string areaId) => Math.Max(_everythingChangedAt, _areaChangedAt.GetValueOrDefault(areaId)) > storedSince;
            foreach (var (id, held) in _districts)
            {
                if (areaIds.Count == 0 || areaIds.Contains(id))
                {
                    held.IsMissing = true;
                    held.Invalidations++;
                    held.Stored = null;
                }
            }
            if (stored is not null)
            {
                foreach (var segment in stored.Segments.Where(s => !ChangedSince(s.DistrictId)))
                {
                    StoredIn(segment.DistrictId).Segments[segment.Id] = segment;
                }
                foreach (var sensor in stored.Sensors.Where(s => !ChangedSince(s.DistrictId)))
                {
                    StoredIn(sensor.DistrictId).Sensors[sensor.Id] = sensor;
                }
            }
            _changes++;
            if (areaIds.Count == 0)
            {
                _everythingChangedAt = _changes;
            }
            foreach (var id in areaIds)
            {
                _areaChangedAt[id] = _changes;
            }
            Interlocked.Increment(ref _generation);
        }
    }

    private StoredMembers StoredIn(string areaId)
    {
        if (!_districts.TryGetValue(areaId, out var held))
        {
            _districts[areaId] = held = new HeldDistrict { IsMissing = true };
        }
        return held.Stored ??= new StoredMembers();
    }

    /// <summary>Drops everything held: updates may have been missed (the observer was not registered for a while).</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _districts.Clear();
            _everythingChangedAt = ++_changes;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>
    /// Starts one read of the districts not held yet, or to be read again, and returns what to wait for. The districts are
    /// read together, so that a city's first snapshot keeps no more grain calls in flight than one read does.
    /// </summary>
    private Task EnsureHeldAsync(IReadOnlyList<string> districtIds)
    {
        lock (_gate)
        {
            List<Task> waits = [];
            List<(string Id, HeldDistrict Held)> toRead = [];
            var waitForRead = false;
            foreach (var id in districtIds)
            {
                if (!_districts.TryGetValue(id, out var held))
                {
                    _districts[id] = held = new HeldDistrict();
                }
                var needed = held.ReadAt == 0 || held.IsMissing;
                if (held.Loading is { } loading)
                {
                    if (needed)
                    {
                        waits.Add(loading);
                    }
                }
                else if (needed || Stopwatch.GetElapsedTime(held.ReadAt) > options.Value.HeldStateRefresh)
                {
                    // One that is only old is served as held and read again behind it.
                    toRead.Add((id, held));
                    waitForRead |= needed;
                }
            }
            if (toRead.Count > 0)
            {
                toRead.ForEach(d => d.Held.AlertsDuringRead = []);
                var reading = Task.Run(() => ReadFromGrainsAsync(toRead));
                toRead.ForEach(d => d.Held.Loading = reading);
                if (waitForRead)
                {
                    waits.Add(reading);
                }
            }
            return Task.WhenAll(waits);
        }
    }

    private async Task ReadFromGrainsAsync(List<(string Id, HeldDistrict Held)> districts)
    {
        try
        {
            int[] invalidations;
            var storedSegments = new Dictionary<string, SegmentView>(StringComparer.Ordinal);
            var storedSensors = new Dictionary<string, SensorView>(StringComparer.Ordinal);
            lock (_gate)
            {
                invalidations = [.. districts.Select(d => d.Held.Invalidations)];
                foreach (var stored in districts.Select(d => d.Held.Stored).OfType<StoredMembers>())
                {
                    stored.Segments.ToList().ForEach(s => storedSegments[s.Key] = s.Value);
                    stored.Sensors.ToList().ForEach(s => storedSensors[s.Key] = s.Value);
                }
            }
            // Updates published before this read started are in what it reads; those after are laid over it.
            var alerts = Task.WhenAll(districts.Select(d => grains.GetGrain<IDistrictGrain>(d.Id).GetAlerts()));
            var views = LiveTopology.ReadViewsAsync(grains, districts.Select(d => d.Id), knownSegments: storedSegments, knownSensors: storedSensors);
            await Task.WhenAll(alerts, views);
            var (read, readAlerts) = (views.Result, alerts.Result);
            var segments = read.Segments.ToLookup(s => s.DistrictId);
            var sensors = read.Sensors.ToLookup(s => s.DistrictId);
            lock (_gate)
            {
                foreach (var (((id, held), invalidated), areaAlerts) in districts.Zip(invalidations).Zip(readAlerts))
                {
                    if (read.Districts.Find(d => d.Id == id) is { } district)
                    {
                        held.District = held.District is { } known ? HeldRecordMerge.Newer(district, known) : district;
                    }
                    held.Segments = Merge([.. segments[id]], held.Segments, s => s.Id, HeldRecordMerge.Newer);
                    held.Sensors = Merge([.. sensors[id]], held.Sensors, s => s.Id, HeldRecordMerge.Newer);
                    held.Alerts = MergeAlerts(areaAlerts, held.AlertsDuringRead ?? []);
                    held.AlertsDuringRead = null;
                    held.ReadAt = Stopwatch.GetTimestamp();
                    // A change told while it was read may have come too late for the read: read again.
                    held.IsMissing = held.Invalidations != invalidated;
                    if (!held.IsMissing)
                    {
                        // Held now; later changes to them reach the grains, so a later read asks those.
                        held.Stored = null;
                    }
                }
            }
            Interlocked.Add(ref _districtsRead, districts.Count);
            TwinTelemetry.HeldDistrictReads.Add(districts.Count);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Reading {Count} districts for snapshots failed", districts.Count);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                districts.ForEach(d => (d.Held.Loading, d.Held.AlertsDuringRead) = (null, null));
            }
        }
    }

    /// <summary>What was read, each record with the updates kept meanwhile laid over it; records no longer read are gone.</summary>
    private static Dictionary<string, T> Merge<T>(List<T> read, Dictionary<string, T> kept, Func<T, string> id, Func<T, T, T> newer)
    {
        var merged = new Dictionary<string, T>(read.Count);
        foreach (var record in read)
        {
            merged[id(record)] = kept.TryGetValue(id(record), out var update) ? newer(record, update) : record;
        }
        return merged;
    }

    /// <summary>
    /// The alerts read, with those raised or changed while they were read laid over them (an alert raised then is kept
    /// though the read missed it; one resolved then is resolved).
    /// </summary>
    private Dictionary<string, AlertView> MergeAlerts(IEnumerable<AlertView> read, List<AlertView> changedDuringRead)
    {
        var merged = read.ToDictionary(a => a.Id, StringComparer.Ordinal);
        foreach (var alert in changedDuringRead)
        {
            merged[alert.Id] = merged.TryGetValue(alert.Id, out var known) ? HeldRecordMerge.Newer(known, alert) : alert;
        }
        DropLongResolved(merged);
        return merged;
    }

    /// <summary>
    /// How long a resolved alert is kept (shown to no one): an update of it sent earlier but arriving late (through
    /// another silo, after the area moved) finds it resolved instead of opening it again.
    /// </summary>
    private static readonly TimeSpan ResolvedKept = TimeSpan.FromMinutes(2);

    private void DropLongResolved(Dictionary<string, AlertView> alerts)
    {
        var before = time.GetUtcNow() - ResolvedKept;
        foreach (var alert in alerts.Values.Where(a => a.State == AlertState.Resolved && !(a.ResolvedAt > before)).ToList())
        {
            alerts.Remove(alert.Id);
        }
    }

    private sealed class StoredMembers
    {
        public Dictionary<string, SegmentView> Segments { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, SensorView> Sensors { get; } = new(StringComparer.Ordinal);
    }

    private sealed class HeldDistrict
    {
        /// <summary>Whole once read; until then, what updates said of it.</summary>
        public DistrictView? District { get; set; }
        public Dictionary<string, SegmentView> Segments { get; set; } = [];
        public Dictionary<string, SensorView> Sensors { get; set; } = [];
        /// <summary>Its alerts by id: the open ones, and those resolved lately (<see cref="ResolvedKept"/>).</summary>
        public Dictionary<string, AlertView> Alerts { get; set; } = new(StringComparer.Ordinal);
        /// <summary>Alerts raised or changed since the read under way started, to lay over what it reads.</summary>
        public List<AlertView>? AlertsDuringRead { get; set; }
        /// <summary>The read from the grains under way, if any.</summary>
        public Task? Loading { get; set; }
        /// <summary>When the grains were last read (a <see cref="Stopwatch"/> timestamp); 0 until they have been.</summary>
        public long ReadAt { get; set; }
        /// <summary>An update named a segment or sensor not held, or the members differ: the topology changed since the read.</summary>
        public bool IsMissing { get; set; }

        /// <summary>How many times the topology of this area was told to have changed (<see cref="Invalidate"/>).</summary>
        public int Invalidations { get; set; }

        /// <summary>Views of members this process has just stored, for the next read to take instead of asking their grains.</summary>
        public StoredMembers? Stored { get; set; }

        /// <summary>Whether exactly these segments and sensors are held.</summary>
        public bool Holds(DistrictMembers members) =>
            members.SegmentIds.Count == Segments.Count && members.SensorIds.Count == Sensors.Count
            && members.SegmentIds.All(Segments.ContainsKey) && members.SensorIds.All(Sensors.ContainsKey);
    }
}
