using IocTwin.Model;

namespace IocTwin.Api.Apis;

/// <summary>
/// Every area's members as last read, and which area holds each segment and sensor. A read of the topology replaces
/// only the areas whose members changed since (<see cref="MembersVersion"/>), so keeping it current costs what changed,
/// not the size of the city: an import of a document into a city of a million sensors reads a few areas again, not
/// every id. Safe for lookups while a read updates it; one read updates it at a time.
/// </summary>
public sealed class AreaMemberIndex
{
    private sealed record Held(MembersVersion Version, DistrictMembers Members);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Held> _areas = new(StringComparer.Ordinal);
    private readonly Holders _segments = new(m => m.SegmentIds);
    private readonly Holders _sensors = new(m => m.SensorIds);
    // Held by an import while it checks its document and tells new rows from moved ones: both see the same index.
    private readonly SemaphoreSlim _updates = new(1, 1);

    public AreaMemberIndex()
    {
        Segments = new IdSet(this, _segments.AreaOf);
        Sensors = new IdSet(this, _sensors.AreaOf);
    }

    /// <summary>Keeps reads from updating the index until disposed; lookups go on.</summary>
    public async Task<IDisposable> HoldAsync()
    {
        await _updates.WaitAsync();
        return new Release(_updates);
    }

    private sealed class Release(SemaphoreSlim updates) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                updates.Release();
            }
        }
    }

    /// <summary>The segment ids the areas hold, as a live set: it follows the index as reads update it.</summary>
    public IReadOnlySet<string> Segments { get; }

    /// <summary>The sensor ids the areas hold, as a live set.</summary>
    public IReadOnlySet<string> Sensors { get; }

    public bool HoldsSegment(string id) => Segments.Contains(id);

    public bool HoldsSensor(string id) => Sensors.Contains(id);

    /// <summary>The area holding a segment or sensor; null when none does.</summary>
    public string? AreaOf(string id)
    {
        lock (_gate)
        {
            return _segments.AreaOf.GetValueOrDefault(id) ?? _sensors.AreaOf.GetValueOrDefault(id);
        }
    }

    /// <summary>The version of each area's members held, null for an area not read yet: what a read asks the areas since.</summary>
    public MembersVersion? VersionOf(string areaId)
    {
        lock (_gate)
        {
            return _areas.GetValueOrDefault(areaId)?.Version;
        }
    }

    /// <summary>
    /// Takes in a read of every area of the city: areas that answered with members replace what was held of them, and
    /// areas no longer in the city leave with their members. Waits while an import holds the index.
    /// </summary>
    public async Task UpdateAsync(IReadOnlyList<string> areaIds, IReadOnlyList<MembersRead> reads)
    {
        using var _ = await HoldAsync();
        lock (_gate)
        {
            var current = areaIds.ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _areas.Keys.Where(id => !current.Contains(id)).ToList())
            {
                Replace(gone, null);
            }
            for (var i = 0; i < areaIds.Count; i++)
            {
                if (reads[i].Members is { } members)
                {
                    Replace(areaIds[i], new Held(reads[i].Version, members));
                }
            }
        }
    }

    private void Replace(string areaId, Held? now)
    {
        var before = _areas.GetValueOrDefault(areaId);
        if (now is null)
        {
            _areas.Remove(areaId);
        }
        else
        {
            _areas[areaId] = now;
        }
        Merge(areaId, before?.Members.SegmentIds ?? [], now?.Members.SegmentIds ?? [], _segments);
        Merge(areaId, before?.Members.SensorIds ?? [], now?.Members.SensorIds ?? [], _sensors);
    }

    /// <summary>Walks the area's old and new ids (both in ordinal order): ids that left it are let go, new ones taken.</summary>
    private void Merge(string areaId, IReadOnlyList<string> before, IReadOnlyList<string> now, Holders holders)
    {
        int i = 0, j = 0;
        while (i < before.Count || j < now.Count)
        {
            var order = i == before.Count ? 1 : j == now.Count ? -1 : string.CompareOrdinal(before[i], now[j]);
            if (order < 0)
            {
                holders.Leave(before[i++], areaId);
            }
            else if (order > 0)
            {
                holders.Take(now[j++], areaId, this);
            }
            else
            {
                i++;
                j++;
            }
        }
    }

    private bool AreaHolds(string areaId, string id, Func<DistrictMembers, IReadOnlyList<string>> idsOf) =>
        _areas.TryGetValue(areaId, out var held) && Holds(idsOf(held.Members), id);

    private static bool Holds(IReadOnlyList<string> sorted, string id)
    {
        int low = 0, high = sorted.Count - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var order = string.CompareOrdinal(sorted[middle], id);
            if (order == 0)
            {
                return true;
            }
            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }
        return false;
    }

    /// <summary>
    /// The area holding each id of one kind. An id two areas list at once (a move whose two areas were read on either
    /// side of it) is also kept with both, so that when one lets it go the other still holds it, without a search of
    /// every area.
    /// </summary>
    private sealed class Holders(Func<DistrictMembers, IReadOnlyList<string>> idsOf)
    {
        public readonly Dictionary<string, string> AreaOf = new(StringComparer.Ordinal);
        private readonly Dictionary<string, HashSet<string>> _shared = new(StringComparer.Ordinal);

        public void Take(string id, string areaId, AreaMemberIndex index)
        {
            if (AreaOf.TryGetValue(id, out var holder) && holder != areaId && index.AreaHolds(holder, id, idsOf))
            {
                if (!_shared.TryGetValue(id, out var both))
                {
                    _shared[id] = both = new HashSet<string>(StringComparer.Ordinal) { holder };
                }
                both.Add(areaId);
            }
            AreaOf[id] = areaId;
        }

        public void Leave(string id, string areaId)
        {
            if (_shared.TryGetValue(id, out var holders))
            {
                holders.Remove(areaId);
                if (AreaOf.GetValueOrDefault(id) == areaId)
                {
                    AreaOf[id] = holders.First();
                }
                if (holders.Count < 2)
                {
                    _shared.Remove(id);
                }
            }
            else if (AreaOf.GetValueOrDefault(id) == areaId)
            {
                AreaOf.Remove(id);
            }
        }
    }

    /// <summary>A live, read-only view of one kind of ids; sets are compared over a copy taken under the index's lock.</summary>
    private sealed class IdSet(AreaMemberIndex index, Dictionary<string, string> areaOf) : IReadOnlySet<string>
    {
        public int Count
        {
            get
            {
                lock (index._gate)
                {
                    return areaOf.Count;
                }
            }
        }

        public bool Contains(string item)
        {
            lock (index._gate)
            {
                return areaOf.ContainsKey(item);
            }
        }

        private HashSet<string> Copy()
        {
            lock (index._gate)
            {
                return new HashSet<string>(areaOf.Keys, StringComparer.Ordinal);
            }
        }

        public IEnumerator<string> GetEnumerator() => Copy().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public bool IsProperSubsetOf(IEnumerable<string> other) => Copy().IsProperSubsetOf(other);

        public bool IsProperSupersetOf(IEnumerable<string> other) => Copy().IsProperSupersetOf(other);

        public bool IsSubsetOf(IEnumerable<string> other) => Copy().IsSubsetOf(other);

        public bool IsSupersetOf(IEnumerable<string> other) => other.All(Contains);

        public bool Overlaps(IEnumerable<string> other) => other.Any(Contains);

        public bool SetEquals(IEnumerable<string> other) => Copy().SetEquals(other);
    }
}
