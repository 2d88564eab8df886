using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// A scope's delta frames held for one client while its snapshot is read and its parts are written, merged into one:
/// the newer record of each entity wins (<see cref="HeldRecordMerge"/>), so what is held never outgrows the scope,
/// however long the parts take under a busy feed. The merged frame covers every sequence number it took in.
/// </summary>
internal sealed class HeldDeltas
{
    private readonly Dictionary<string, DistrictView> _districts = [];
    private readonly Dictionary<string, SegmentView> _segments = [];
    private readonly Dictionary<string, SensorView> _sensors = [];
    private CityView? _city;
    private long? _first;
    private long _last;

    public bool IsEmpty => _first is null;

    public void Add(DeltaFrame frame)
    {
        _first ??= frame.First ?? frame.Sequence;
        _last = Math.Max(_last, frame.Sequence);
        if (frame.City is { } city)
        {
            _city = _city is null ? city : HeldRecordMerge.Newer(_city, city);
        }
        Merge(_districts, frame.Districts, d => d.Id, HeldRecordMerge.Newer);
        Merge(_segments, frame.Segments, s => s.Id, HeldRecordMerge.Newer);
        Merge(_sensors, frame.Sensors, s => s.Id, HeldRecordMerge.Newer);
    }

    /// <summary>The frames taken in as one (a single one as it came), or null when none was; what was held is let go.</summary>
    public DeltaFrame? Take(string scope)
    {
        if (_first is not { } first)
        {
            return null;
        }
        var frame = new DeltaFrame(scope, _last, _city, [.. _districts.Values], [.. _segments.Values], [.. _sensors.Values],
            first == _last ? null : first);
        Clear();
        return frame;
    }

    public void Clear()
    {
        (_first, _last, _city) = (null, 0, null);
        _districts.Clear();
        _segments.Clear();
        _sensors.Clear();
    }

    private static void Merge<T>(Dictionary<string, T> held, List<T> records, Func<T, string> id, Func<T, T, T> newer)
    {
        foreach (var record in records)
        {
            var key = id(record);
            held[key] = held.TryGetValue(key, out var known) ? newer(known, record) : record;
        }
    }
}
