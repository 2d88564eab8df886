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
    private readonly Dictionary<string, string> _segmentArea = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sensorArea = new(StringComparer.Ordinal);

    public AreaMemberIndex()
    {
        Segments = new IdSet(this, _segmentArea);
        Sensors = new IdSet(this, _sensorArea);
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
            return _segmentArea.GetValueOrDefault(id) ?? _sensorArea.GetValueOrDefault(id);
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
    /// areas no longer in the city leave with their members.
    /// </summary>
    public void Update(IReadOnlyList<string> areaIds, IReadOnlyList<MembersRead> reads)
    {
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
        Merge(areaId, before?.Members.SegmentIds ?? [], now?.Members.SegmentIds ?? [], _segmentArea, m => m.SegmentIds);
        Merge(areaId, before?.Members.SensorIds ?? [], now?.Members.SensorIds ?? [], _sensorArea, m => m.SensorIds);
    }

    /// <summary>Walks the area's old and new ids (both in ordinal order): ids that left it are let go, new ones taken.</summary>
    private void Merge(string areaId, IReadOnlyList<string> before, IReadOnlyList<string> now, Dictionary<string, string> areaOf,
        Func<DistrictMembers, IReadOnlyList<string>> idsOf)
    {
        int i = 0, j = 0;
        while (i < before.Count || j < now.Count)
        {
            var order = i == before.Count ? 1 : j == now.Count ? -1 : string.CompareOrdinal(before[i], now[j]);
            if (order < 0)
            {
                Leave(areaId, before[i++], areaOf, idsOf);
            }
            else if (order > 0)
            {
                areaOf[now[j++]] = areaId;
            }
            else
            {
                areaOf[now[j]] = areaId;
                i++;
                j++;
            }
        }
    }

    /// <summary>
    /// An id that left an area: gone, unless another area holds it too (a move whose two areas were read on either side
    /// of it), which then holds it here.
    /// </summary>
    private void Leave(string areaId, string id, Dictionary<string, string> areaOf, Func<DistrictMembers, IReadOnlyList<string>> idsOf)
    {
        if (areaOf.GetValueOrDefault(id) != areaId)
        {
            return;
        }
        areaOf.Remove(id);
        foreach (var (otherId, other) in _areas)
        {
            if (otherId != areaId && Holds(idsOf(other.Members), id))
            {
                areaOf[id] = otherId;
                return;
            }
        }
    }

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
