using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>A district's alerts: breaches waiting out their duration, open alerts, and the recently resolved.</summary>
[GenerateSerializer]
public sealed class AlertBook
{
    public const int RecentKept = 200;

    /// <summary>Since when each (rule, entity) has been over its threshold without an alert yet.</summary>
    [Id(0)] public Dictionary<string, DateTimeOffset> Pending { get; set; } = [];

    /// <summary>Raised or acknowledged alerts by (rule, entity).</summary>
    [Id(1)] public Dictionary<string, AlertView> Open { get; set; } = [];

    [Id(2)] public List<AlertView> Recent { get; set; } = [];

    public IEnumerable<AlertView> All => Open.Values.Concat(Recent);

    public void Retire(string key, AlertView resolved)
    {
        Open.Remove(key);
        Recent.Insert(0, resolved);
        if (Recent.Count > RecentKept)
        {
            Recent.RemoveRange(RecentKept, Recent.Count - RecentKept);
        }
    }
}

public readonly record struct Measurement(AlertRule Rule, string EntityId, Sector Sector, double Value);

/// <summary>
/// Turns a district's live state into alerts. An alert is raised once a value has stayed over the rule's threshold for
/// the rule's duration, and resolved only when it falls below the (lower) clear threshold: hysteresis, so a value
/// hovering at the threshold raises one alert, not a stream of them.
/// </summary>
public static class AlertEvaluator
{
    public const string Offline = "offline";
    public const string LevelOfServiceMetric = "los";

    /// <summary>The city's rules until operators change them: each sensor kind's default alert, then the road and silence rules.</summary>
    public static IReadOnlyList<AlertRule> DefaultRules =>
    [
        .. SectorCatalog.Current.KindAlertRules,
        new("segment-los-f", "Road at level of service F for 5 minutes", null, Sector.Traffic, LevelOfServiceMetric, 5.5, 5.5, 300, "warning"),
        new("sensor-offline", "Sensor silent for over 10 minutes", null, null, Offline, 10, 10, 0, "info"),
    ];

    public static IEnumerable<Measurement> Measure(
        IReadOnlyList<AlertRule> rules, IEnumerable<SegmentSnapshot> segments, IEnumerable<SensorSnapshot> directSensors, DateTimeOffset now)
    {
        var segmentList = segments as IReadOnlyCollection<SegmentSnapshot> ?? [.. segments];
        var direct = directSensors as IReadOnlyCollection<SensorSnapshot> ?? [.. directSensors];
        foreach (var rule in rules)
        {
            if (rule.Metric == LevelOfServiceMetric)
            {
                if (rule.Kind is null && (rule.Sector is null || rule.Sector == Sector.Traffic))
                {
                    foreach (var segment in segmentList)
                    {
                        if (segment.Traffic.Los is { } los)
                        {
                            yield return new Measurement(rule, segment.SegmentId, Sector.Traffic, (int)los + 1);
                        }
                    }
                }
                continue;
            }
            // The sensors are walked where they are, not gathered into a list first: an area evaluates every second
            // while its members change (as when an import brings thousands of them).
            foreach (var segment in segmentList)
            {
                var onSegment = segment.Sensors;
                for (var i = 0; i < onSegment.Count; i++)
                {
                    if (Measured(rule, onSegment[i], now) is { } measurement)
                    {
                        yield return measurement;
                    }
                }
            }
            foreach (var sensor in direct)
            {
                if (Measured(rule, sensor, now) is { } measurement)
                {
                    yield return measurement;
                }
            }
        }
    }

    /// <summary>What a rule measures of one sensor: nothing when the rule is for another kind or sector, or has no value.</summary>
    private static Measurement? Measured(AlertRule rule, SensorSnapshot sensor, DateTimeOffset now)
    {
        if (rule.Kind is { } kind && kind != sensor.Kind || rule.Sector is { } sector && sector != sensor.Sector)
        {
            return null;
        }
        if (rule.Metric == Offline)
        {
            // A sensor never heard from has no silence to measure yet.
            return sensor.LastSeen is { } seen ? new Measurement(rule, sensor.SensorId, sensor.Sector, (now - seen).TotalMinutes) : null;
        }
        return sensor.Values.TryGetValue(rule.Metric, out var value) ? new Measurement(rule, sensor.SensorId, sensor.Sector, value) : null;
    }

    /// <summary>Updates the book with the current measurements; returns the alerts raised or resolved.</summary>
    public static List<AlertView> Evaluate(AlertBook book, IEnumerable<Measurement> measurements, string districtId, DateTimeOffset now,
        Func<string> newAlertId)
    {
        var changed = new List<AlertView>();
        // Only breaches waiting from an earlier evaluation can go stale: without any, nothing measured needs remembering.
        var measured = book.Pending.Count > 0 ? new HashSet<string>() : null;
        foreach (var (rule, entityId, sector, value) in measurements)
        {
            // Most measurements are quiet in a district with nothing open or waiting: no key to look up.
            if (value <= rule.Threshold && book.Open.Count == 0 && book.Pending.Count == 0)
            {
                continue;
            }
            var key = $"{rule.Id}|{entityId}";
            measured?.Add(key);
            if (book.Open.TryGetValue(key, out var open))
            {
                if (value < rule.ClearThreshold)
                {
                    var resolved = open with { State = AlertState.Resolved, ResolvedBy = "system", ResolvedAt = now };
                    book.Retire(key, resolved);
                    changed.Add(resolved);
                }
                continue;
            }
            if (value <= rule.Threshold)
            {
                book.Pending.Remove(key);
                continue;
            }
            if (!book.Pending.TryGetValue(key, out var since))
            {
                book.Pending[key] = since = now;
            }
            if ((now - since).TotalSeconds >= rule.ForSeconds)
            {
                book.Pending.Remove(key);
                var raised = new AlertView(newAlertId(), rule.Id, rule.Name, rule.Severity, entityId, districtId, sector,
                    AlertState.Raised, value, now, null, null, null, null);
                book.Open[key] = raised;
                changed.Add(raised);
            }
        }
        // A breach no longer measured (entity gone, rule removed) stops waiting.
        if (measured is not null)
        {
            foreach (var stale in book.Pending.Keys.Where(k => !measured.Contains(k)).ToList())
            {
                book.Pending.Remove(stale);
            }
        }
        return changed;
    }
}
