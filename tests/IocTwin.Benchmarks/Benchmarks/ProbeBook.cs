namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>The readings of watched sensors sent during a round, and each sensor's latest.</summary>
internal sealed class ProbeBook(IEnumerable<(string Id, long Count)> initial)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _counts = initial.ToDictionary(s => s.Id, s => s.Count, StringComparer.Ordinal);
    private readonly Dictionary<string, int> _latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sentAfterRound = new(StringComparer.Ordinal);
    private List<Probe> _probes = [];
    private bool _recording;
    private int _round;

    public bool IsWatched(string sensorId) => _counts.ContainsKey(sensorId);

    /// <summary>
    /// Notes that a reading of the sensor is being sent: its probe, part of the round's record while a round records.
    /// A reading counts only once acknowledged; <see cref="Refused"/> takes back one that was not.
    /// </summary>
    public Probe Sending(string sensorId, string districtId)
    {
        lock (_gate)
        {
            var probe = new Probe(sensorId, districtId, ++_counts[sensorId], System.Diagnostics.Stopwatch.GetTimestamp());
            if (!_recording)
            {
                _latest.Remove(sensorId);
                _sentAfterRound.TryAdd(sensorId, probe.SentAt);
                return probe;
            }
            _latest[sensorId] = _probes.Count;
            _probes.Add(probe);
            return probe;
        }
    }

    /// <summary>
    /// The POST carrying these readings was refused (429): they were never applied. Each sensor's count goes back by
    /// one, and so does that of its readings sent after the refused one, so that later readings are still matched; the
    /// refused readings are expected nowhere.
    /// </summary>
    public void Refused(IReadOnlyList<Probe> refused)
    {
        lock (_gate)
        {
            foreach (var probe in refused)
            {
                probe.Refused = true;
                _counts[probe.SensorId]--;
                foreach (var later in _probes)
                {
                    if (later.SensorId == probe.SensorId && later.Count > probe.Count && !later.Refused)
                    {
                        later.Count--;
                    }
                }
                if (_latest.TryGetValue(probe.SensorId, out var index) && ReferenceEquals(_probes[index], probe))
                {
                    _latest.Remove(probe.SensorId);
                }
            }
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
            _sentAfterRound.Clear();
            _recording = true;
        }
    }

    /// <summary>
    /// When each watched sensor was first sent a reading after the last round ended (Stopwatch timestamps): from then
    /// on, a frame no longer matches the sensor's last probe of the round (<see cref="Match"/>).
    /// </summary>
    public IReadOnlyDictionary<string, long> SentAfterRound()
    {
        lock (_gate)
        {
            return new Dictionary<string, long>(_sentAfterRound, StringComparer.Ordinal);
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
