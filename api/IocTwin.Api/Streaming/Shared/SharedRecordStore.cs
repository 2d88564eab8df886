using System.Collections.Concurrent;
using IocTwin.Model;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>
/// A city or sector scope's records, kept current from the delta frames the scope sends instead of being taken again:
/// each frame is laid over them as a screen merges it (<see cref="HeldRecordMerge"/>), and <see cref="Publish"/> makes a
/// version for new subscribers in which only the chunks holding changed records are new (and serialised again). Guarded
/// by the dispatcher's lock.
/// </summary>
internal sealed class SharedRecordStore(HeldRecords taken, long sequence)
{
    private readonly LiveRecords<DistrictView> _districts = new(taken.Districts, d => d.Id, HeldRecordMerge.Newer);
    private readonly LiveRecords<SegmentView> _segments = new(taken.Segments, s => s.Id, HeldRecordMerge.Newer);
    private readonly LiveRecords<SensorView> _sensors = new(taken.Sensors, s => s.Id, HeldRecordMerge.Newer);
    private CityView? _city = taken.City;
    private readonly IReadOnlyList<string> _areaIds = taken.AreaIds;
    private HeldRecords _published = taken;
    private bool _changed;

    /// <summary>The sequence of the last frame laid over the records.</summary>
    public long Sequence { get; private set; } = sequence;

    /// <summary>
    /// Lays the scope's next frame over the records; false when the frame names a record they do not hold (the topology
    /// changed since they were taken: they are to be taken again).
    /// </summary>
    public bool Apply(DeltaFrame frame)
    {
        Sequence = frame.Sequence;
        if (frame.City is { } city)
        {
            _city = _city is { } known ? HeldRecordMerge.Newer(known, city) : city;
            _changed = true;
        }
        _changed |= frame.Districts.Count + frame.Segments.Count + frame.Sensors.Count > 0;
        return _districts.Apply(frame.Districts) & _segments.Apply(frame.Segments) & _sensors.Apply(frame.Sensors);
    }

    /// <summary>The records as of <see cref="Sequence"/>, sharing every unchanged chunk with the version before.</summary>
    public HeldRecords Publish()
    {
        if (_changed)
        {
            _published = new HeldRecords(_city, _districts.Publish(), _segments.Publish(), _sensors.Publish(), _areaIds);
            _changed = false;
        }
        return _published;
    }

    /// <summary>One kind of record, by position in its shared list, with the chunks changed since the last version.</summary>
    private sealed class LiveRecords<T>(SharedList<T> taken, Func<T, string> idOf, Func<T, T, T> newer)
    {
        private readonly T[] _records = [.. taken];
        private readonly SharedChunk<T>[] _chunks = [.. taken.Chunks];
        private readonly int _chunkLength = taken.ChunkLength;
        private readonly ConcurrentDictionary<object, Func<T[], SerializedRecords>> _protocols = taken.Protocols;
        private readonly Dictionary<string, int> _positions = Positions(taken, idOf);
        private readonly HashSet<int> _changedChunks = [];
        private SharedList<T> _published = taken;

        public bool Apply(List<T> updates)
        {
            var allHeld = true;
            foreach (var update in updates)
            {
                if (!_positions.TryGetValue(idOf(update), out var position))
                {
                    allHeld = false;
                    continue;
                }
                _records[position] = newer(_records[position], update);
                _changedChunks.Add(position / _chunkLength);
            }
            return allHeld;
        }

        public SharedList<T> Publish()
        {
            if (_changedChunks.Count == 0)
            {
                return _published;
            }
            foreach (var chunk in _changedChunks)
            {
                var start = chunk * _chunkLength;
                _chunks[chunk] = new SharedChunk<T>(_records[start..Math.Min(start + _chunkLength, _records.Length)]);
            }
            _changedChunks.Clear();
            return _published = new SharedList<T>(_records, [.. _chunks], _chunkLength, _protocols);
        }

        private static Dictionary<string, int> Positions(SharedList<T> records, Func<T, string> idOf)
        {
            var positions = new Dictionary<string, int>(records.Count, StringComparer.Ordinal);
            for (var i = 0; i < records.Count; i++)
            {
                positions[idOf(records[i])] = i;
            }
            return positions;
        }
    }
}
