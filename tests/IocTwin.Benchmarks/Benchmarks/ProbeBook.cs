namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>The readings of watched sensors sent during a round, and each sensor's latest.</summary>
internal sealed class ProbeBook(IEnumerable<(string Id, long Count)> initial)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _counts = initial.ToDictionary(s => s.Id, s => s.Count, StringComparer.Ordinal);
    private readonly Dictionary<string, int> _latest = new(StringComparer.Ordinal);
    private List<Probe> _probes = [];
    private bool _recording;
    private int _round;

    public bool IsWatched(string sensorId) => _counts.ContainsKey(sensorId);

    /// <summary>Notes that a reading of the sensor is being sent; returns its probe while a round records.</summary>
    public Probe? Sending(string sensorId, string districtId)
    {
        lock (_gate)
        {
            var count = ++_counts[sensorId];
            if (!_recording)
            {
                _latest.Remove(sensorId);
                return null;
            }
            var probe = new Probe(sensorId, districtId, count);
            _latest[sensorId] = _probes.Count;
            _probes.Add(probe);
            return probe;
        }
    }

    /// <summary>The probe a sensor at this reading count satisfies (the sensor's latest), as (round, index).</summary>
    public (int Round, int Index)? Match(string sensorId, long readingCount)
    {
        lock (_gate)
        {
            return _latest.TryGetValue(sensorId, out var index) && _probes[index].Count <= readingCount ? (_round, index) : null;
        }
    }

    public void StartRound()
    {
        lock (_gate)
        {
            _round++;
            _probes = [];
            _latest.Clear();
            _recording = true;
        }
    }

    public IReadOnlyList<Probe> EndRound()
    {
        lock (_gate)
        {
            _recording = false;
            return _probes;
        }
    }

    public int Round
    {
        get
        {
            lock (_gate)
            {
                return _round;
            }
        }
    }
}
