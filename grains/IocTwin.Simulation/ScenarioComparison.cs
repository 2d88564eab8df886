using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>How segments are ranked as most affected.</summary>
public enum SegmentRanking
{
    /// <summary>By the change in vehicle-hours of delay over the run.</summary>
    Delay,

    /// <summary>By the change in mean flow over the run.</summary>
    Flow,
}

public static class ScenarioComparison
{
    /// <summary>
    /// Compares a scenario with a baseline run of the same network. The most affected segments are the
    /// <paramref name="top"/> with the largest change (either way) by <paramref name="rankBy"/>, largest first.
    /// </summary>
    public static ScenarioDelta Compare(SimulationResult baseline, SimulationResult scenario, int top = 10,
        SegmentRanking rankBy = SegmentRanking.Delay)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        if (baseline.NetworkId != scenario.NetworkId || baseline.Segments.Count != scenario.Segments.Count ||
            baseline.Districts.Count != scenario.Districts.Count ||
            !baseline.Segments.Select(s => s.SegmentId).SequenceEqual(scenario.Segments.Select(s => s.SegmentId)))
        {
            throw new ArgumentException("The two runs are of different networks.", nameof(scenario));
        }

        var districts = baseline.Districts.Zip(scenario.Districts, (b, s) => new DistrictDelta(b.DistrictId, b.Name,
            new(b.MeanSpeedKmh, s.MeanSpeedKmh), new(b.DelayVehHours, s.DelayVehHours), new(b.MeanCongestedKm, s.MeanCongestedKm))).ToArray();

        var baselineOd = baseline.OdPairs.ToDictionary(p => (p.OriginDistrictId, p.DestinationDistrictId));
        var scenarioOd = scenario.OdPairs.ToDictionary(p => (p.OriginDistrictId, p.DestinationDistrictId));
        var od = new List<OdDelta>();
        foreach (var key in baselineOd.Keys.Concat(scenarioOd.Keys.Where(k => !baselineOd.ContainsKey(k))))
        {
            var b = baselineOd.GetValueOrDefault(key);
            var s = scenarioOd.GetValueOrDefault(key);
            od.Add(new OdDelta(key.OriginDistrictId, key.DestinationDistrictId,
                new(b?.MeanTravelTimeMin ?? 0, s?.MeanTravelTimeMin ?? 0),
                new(b?.DelayVehHours ?? 0, s?.DelayVehHours ?? 0),
                new(b?.UnreachableTrips ?? 0, s?.UnreachableTrips ?? 0)));
        }

        var segments = baseline.Segments.Zip(scenario.Segments, (b, s) => new SegmentDelta(b.SegmentId, b.Name, b.DistrictId, b.Status, s.Status,
            new(b.MeanFlowVph, s.MeanFlowVph), new(b.DelayVehHours, s.DelayVehHours), new(b.VolumeToCapacity, s.VolumeToCapacity)));
        Func<SegmentDelta, double> rank = rankBy == SegmentRanking.Flow ? d => Math.Abs(d.MeanFlowVph.Change) : d => Math.Abs(d.DelayVehHours.Change);
        var ranked = segments
            .Select((delta, index) => (delta, index))
            .Where(x => rank(x.delta) > 0)
            .OrderByDescending(x => rank(x.delta))
            .ThenBy(x => x.index)
            .Take(top)
            .Select(x => x.delta)
            .ToArray();

        return new ScenarioDelta(
            new(baseline.Network.MeanSpeedKmh, scenario.Network.MeanSpeedKmh),
            new(baseline.Network.TotalDelayVehHours, scenario.Network.TotalDelayVehHours),
            new(baseline.Network.VehicleKm, scenario.Network.VehicleKm),
            new(baseline.Network.MeanCongestedKm, scenario.Network.MeanCongestedKm),
            districts, od, ranked);
    }
}
