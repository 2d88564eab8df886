using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// What changed in an area since its last update was pushed to screens: its segments' status and traffic and its
/// sensors' live fields, each sensor's health judged now. It also remembers the health screens last heard of each
/// sensor, so that a sensor falling silent is sent again as it ages.
/// </summary>
internal sealed class AreaChanges(TimeProvider time)
{
    private readonly Dictionary<string, SegmentView> _segments = [];
    private readonly Dictionary<string, SensorView> _sensors = [];
    private readonly Dictionary<string, SensorHealth> _healthSent = [];

    /// <summary>The changes since the last call, then none.</summary>
    public (SegmentView[] Segments, SensorView[] Sensors) Take()
    {
        var taken = ((SegmentView[])[.. _segments.Values], (SensorView[])[.. _sensors.Values]);
        _segments.Clear();
        _sensors.Clear();
        return taken;
    }

    /// <summary>A segment's report, against what the area held of it before (null when new).</summary>
    public void Track(string areaId, SegmentSnapshot? previous, SegmentSnapshot segment)
    {
        if (previous is null || previous.Status != segment.Status || previous.Traffic != segment.Traffic)
        {
            _segments[segment.SegmentId] = new SegmentView(
                segment.SegmentId, areaId, Spec: null, segment.Status, segment.Traffic, SensorIds: null, segment.Version);
        }
        // Index loops: a foreach over the IReadOnlyList would allocate an enumerator per segment per report.
        var sensors = segment.Sensors;
        for (var i = 0; i < sensors.Count; i++)
        {
            var sensor = sensors[i];
            if (FindSensor(previous, sensor.SensorId) is not { } old ||
                old.ReadingCount != sensor.ReadingCount || old.LastSeen != sensor.LastSeen)
            {
                Track(areaId, sensor, segment.SegmentId);
            }
        }
    }

    /// <summary>A sensor as screens receive it in a delta: the live fields of its view, health judged now.</summary>
    public void Track(string areaId, SensorSnapshot sensor, string? segmentId)
    {
        var health = HealthPolicy.Classify(sensor.LastSeen, time.GetUtcNow());
        _healthSent[sensor.SensorId] = health;
        _sensors[sensor.SensorId] = new SensorView(sensor.SensorId, Name: null, sensor.Kind, sensor.Sector, Location: null,
            areaId, segmentId, LastReading: null, health, sensor.ReadingCount, Version: null, sensor.LastSeen, sensor.Values);
    }

    public void Forget(string sensorId) => _healthSent.Remove(sensorId);

    /// <summary>Health as screens last saw it at activation: judged now, as their snapshots judge it.</summary>
    public void RememberHealth(DistrictState state)
    {
        var now = time.GetUtcNow();
        foreach (var sensor in state.Sensors.Values.Concat(state.Segments.Values.SelectMany(s => s.Sensors)))
        {
            _healthSent[sensor.SensorId] = HealthPolicy.Classify(sensor.LastSeen, now);
        }
    }

    /// <summary>Sends again the sensors whose health has changed with time alone since screens last heard of them.</summary>
    public bool TrackAged(string areaId, DistrictState state)
    {
        var now = time.GetUtcNow();
        var aged = false;
        foreach (var segment in state.Segments.Values)
        {
            foreach (var sensor in segment.Sensors)
            {
                aged |= TrackIfAged(areaId, sensor, segment.SegmentId, now);
            }
        }
        foreach (var sensor in state.Sensors.Values)
        {
            aged |= TrackIfAged(areaId, sensor, segmentId: null, now);
        }
        return aged;
    }

    private bool TrackIfAged(string areaId, SensorSnapshot sensor, string? segmentId, DateTimeOffset now)
    {
        if (_healthSent.TryGetValue(sensor.SensorId, out var sent) && sent == HealthPolicy.Classify(sensor.LastSeen, now))
        {
            return false;
        }
        Track(areaId, sensor, segmentId);
        return true;
    }

    /// <summary>Whether two reports of a segment hold the same sensors (which sensors a segment holds is topology).</summary>
    public static bool SameSensors(SegmentSnapshot a, SegmentSnapshot b)
    {
        if (a.Sensors.Count != b.Sensors.Count)
        {
            return false;
        }
        for (var i = 0; i < b.Sensors.Count; i++)
        {
            if (FindSensor(a, b.Sensors[i].SensorId) is null)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A segment holds a handful of sensors: a scan is cheaper than building a lookup for every report.</summary>
    private static SensorSnapshot? FindSensor(SegmentSnapshot? segment, string sensorId)
    {
        if (segment is null)
        {
            return null;
        }
        var sensors = segment.Sensors;
        for (var i = 0; i < sensors.Count; i++)
        {
            if (sensors[i].SensorId == sensorId)
            {
                return sensors[i];
            }
        }
        return null;
    }
}
