using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// What the roads offer at a minute of a run: the scenario's closures, reopenings, capacities, speed limits and
/// incidents, the segments registered as closed, flooded or with an incident, rain, and (when looked at) floods.
/// </summary>
internal sealed class RoadConditions
{
    private readonly RoadNetwork _net;
    private readonly ScenarioPlan _plan;
    private readonly SimulationOptions _o;
    private readonly PondingWater _water;
    private readonly bool[] _reopened;
    private readonly double[] _capOverride, _speedOverride, _capFactor;
    private readonly double[] _rainNow;

    public RoadConditions(RoadNetwork network, ScenarioPlan plan, SimulationOptions options, PondingWater water)
    {
        _net = network;
        _plan = plan;
        _o = options;
        _water = water;
        var segments = network.SegmentCount;
        Closed = new bool[segments];
        _reopened = new bool[segments];
        Incident = new bool[segments];
        Flooded = new bool[segments];
        EverFlooded = new bool[segments];
        _capOverride = new double[segments];
        _speedOverride = new double[segments];
        _capFactor = new double[segments];
        _rainNow = new double[network.DistrictCount];
        RainDepthInput = new double[network.DistrictCount];
    }

    public bool[] Closed { get; }

    public bool[] Incident { get; }

    /// <summary>Segments under more water than <see cref="SimulationOptions.FloodDepthM"/> when floods were last looked at.</summary>
    public bool[] Flooded { get; }

    public bool[] EverFlooded { get; }

    /// <summary>Rain on each district over the step, in mm per hour: the exact overlap of each rain window with it.</summary>
    public double[] RainDepthInput { get; }

    /// <summary>Fills <paramref name="next"/> with the roads at <paramref name="minute"/>: interventions, rain and (when asked) floods.</summary>
    public void Fill(double minute, double dt, bool lookAtWater, LinkConditions next)
    {
        Array.Clear(Closed);
        Array.Clear(_reopened);
        Array.Clear(Incident);
        Array.Fill(_capOverride, double.NaN);
        Array.Fill(_speedOverride, double.NaN);
        Array.Fill(_capFactor, 1.0);
        Array.Clear(_rainNow);
        Array.Clear(RainDepthInput);
        ApplyActions(minute, dt);

        if (lookAtWater)
        {
            for (var s = 0; s < _net.SegmentCount; s++)
            {
                Flooded[s] = _water.OnSegment(s) > _o.FloodDepthM;
                EverFlooded[s] |= Flooded[s];
            }
        }

        for (var s = 0; s < _net.SegmentCount; s++)
        {
            var spec = _net.SegmentArray[s];
            var reopened = _reopened[s];
            if (spec.Status is SegmentStatus.Closed or SegmentStatus.Flooded && !reopened)
            {
                Closed[s] = true;
            }
            if (spec.Status == SegmentStatus.Incident && !reopened)
            {
                _capFactor[s] *= _o.RegisteredIncidentCapacityShare;
                Incident[s] = true;
            }
            if (_capFactor[s] <= 0)
            {
                Closed[s] = true;
            }
            var open = !Closed[s] && !Flooded[s];
            var district = _net.SegmentDistrictArray[s];
            var rain = Math.Min(1, _rainNow[district] / _o.HeavyRainMmPerHour);
            var capacity = (double.IsNaN(_capOverride[s]) ? spec.CapacityVph : _capOverride[s]) * (spec.OneWay ? 1 : 0.5)
                * _capFactor[s] * (1 - _o.RainCapacityLoss * rain);
            var speed = (double.IsNaN(_speedOverride[s]) ? spec.FreeFlowSpeedKmh : _speedOverride[s]) * (1 - _o.RainSpeedLoss * rain);
            SetLink(next, _net.SegmentForwardLink[s], open, capacity, speed);
            if (_net.SegmentBackwardLink[s] >= 0)
            {
                SetLink(next, _net.SegmentBackwardLink[s], open, capacity, speed);
            }
        }
    }

    /// <summary>Ids of the segments marked in <paramref name="flags"/>, in network order.</summary>
    public string[] SegmentIds(bool[] flags)
    {
        var ids = new List<string>();
        for (var s = 0; s < flags.Length; s++)
        {
            if (flags[s])
            {
                ids.Add(_net.SegmentArray[s].Id);
            }
        }
        return ids.ToArray();
    }

    /// <summary>The scenario's actions in force at <paramref name="minute"/>, and its rain over the step.</summary>
    private void ApplyActions(double minute, double dt)
    {
        foreach (var iv in _plan.Actions)
        {
            var active = iv.Start <= minute && minute < iv.End;
            if (iv.Kind == ActionKind.Rain)
            {
                // Water counts the exact overlap of the window with the step; road conditions what holds at its start.
                var overlap = Math.Max(0, Math.Min(iv.End, minute + dt) - Math.Max(iv.Start, minute));
                RainDepthInput[iv.Target] += iv.Value * overlap / dt;
                if (active)
                {
                    _rainNow[iv.Target] += iv.Value;
                }
                continue;
            }
            if (!active)
            {
                continue;
            }
            var s = iv.Target;
            switch (iv.Kind)
            {
                case ActionKind.Close: Closed[s] = true; break;
                case ActionKind.Reopen: _reopened[s] = true; break;
                case ActionKind.Capacity: _capOverride[s] = iv.Value; break;
                case ActionKind.SpeedLimit: _speedOverride[s] = iv.Value; break;
                case ActionKind.Incident:
                    _capFactor[s] *= 1 - iv.Value;
                    Incident[s] = true;
                    break;
            }
        }
    }

    private static void SetLink(LinkConditions next, int link, bool open, double capacity, double speed)
    {
        next.Available[link] = open;
        next.CapacityVph[link] = open ? capacity : 0;
        next.FreeFlowKmh[link] = speed;
    }
}
