using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// Traffic KPIs of a run: each step's speed, delay, distance, congestion and closures over the network and per district,
/// the totals over the run, and the final state of every district and segment.
/// </summary>
internal sealed class TrafficKpis
{
    private readonly RoadNetwork _net;
    private readonly SimulationOptions _o;
    private readonly double[] _segDelay, _segFlowHours;
    private readonly bool[] _segCongested;
    private double[]? _measuredHours;

    // Districts, this step.
    private readonly double[] _dSpeedL, _dLength, _dDelay, _dCongested, _dVkt;
    private readonly int[] _dFlooded;

    // Districts, over the run.
    private readonly double[] _dSpeedTime, _dDelayTotal, _dVktTotal, _dCongestedTime, _dCongestedMax;
    private readonly int[] _dFloodedMax;

    public TrafficKpis(RoadNetwork network, SimulationOptions options)
    {
        _net = network;
        _o = options;
        var segments = network.SegmentCount;
        _segCongested = new bool[segments];
        _segDelay = new double[segments];
        _segFlowHours = new double[segments];

        var districts = network.DistrictCount;
        _dSpeedL = new double[districts];
        _dLength = new double[districts];
        _dDelay = new double[districts];
        _dCongested = new double[districts];
        _dVkt = new double[districts];
        _dSpeedTime = new double[districts];
        _dDelayTotal = new double[districts];
        _dVktTotal = new double[districts];
        _dCongestedTime = new double[districts];
        _dCongestedMax = new double[districts];
        _dFlooded = new int[districts];
        _dFloodedMax = new int[districts];
    }

    /// <summary>Link travel times from dynamic loading, in hours, used instead of the BPR times from now on.</summary>
    public void UseMeasuredTimes(double[] hours) => _measuredHours = hours;

    public readonly record struct LinkTotals(double MeanSpeed, double Delay, double Vkt, double Vht, double CongestedKm, int Closed, int Flooded);

    /// <summary>The network's KPIs over a step of <paramref name="dtHours"/> at <paramref name="flow"/>, and each district's.</summary>
    public LinkTotals Measure(LinkConditions now, double[] flow, RoadConditions roads, double dtHours)
    {
        Array.Clear(_dSpeedL);
        Array.Clear(_dLength);
        Array.Clear(_dDelay);
        Array.Clear(_dCongested);
        Array.Clear(_dVkt);
        Array.Clear(_dFlooded);
        Array.Clear(_segCongested);
        double speedL = 0, length = 0, delay = 0, vkt = 0, vht = 0, congested = 0;
        for (var a = 0; a < _net.LinkCount; a++)
        {
            if (!now.Available[a])
            {
                continue;
            }
            var len = _net.LinkLengthKmArray[a];
            var x = flow[a];
            var hours = Hours(now, a, x);
            var speed = len / hours;
            var freeHours = len / _net.LinkFreeFlowKmhArray[a];
            var linkDelay = x * Math.Max(0, hours - freeHours) * dtHours;
            var d = _net.LinkDistrictArray[a];
            var s = _net.LinkSegmentArray[a];
            speedL += speed * len;
            length += len;
            delay += linkDelay;
            vkt += x * len * dtHours;
            vht += x * hours * dtHours;
            _dSpeedL[d] += speed * len;
            _dLength[d] += len;
            _dDelay[d] += linkDelay;
            _dVkt[d] += x * len * dtHours;
            _segDelay[s] += linkDelay;
            _segFlowHours[s] += x * dtHours;
            if (x / now.CapacityVph[a] >= _o.CongestedVolumeToCapacity || speed / _net.LinkFreeFlowKmhArray[a] <= _o.CongestedSpeedRatio)
            {
                _segCongested[s] = true;
            }
        }
        int closed = 0, flooded = 0;
        for (var s = 0; s < _net.SegmentCount; s++)
        {
            var d = _net.SegmentDistrictArray[s];
            if (_segCongested[s])
            {
                congested += _net.SegmentLengthKmArray[s];
                _dCongested[d] += _net.SegmentLengthKmArray[s];
            }
            closed += roads.Closed[s] ? 1 : 0;
            if (roads.Flooded[s])
            {
                flooded++;
                _dFlooded[d]++;
            }
        }
        return new LinkTotals(length > 0 ? speedL / length : 0, delay, vkt, vht, congested, closed, flooded);
    }

    /// <summary>Each district's KPIs of the step just measured, added to its totals over the run.</summary>
    public DistrictStepKpis[] EndStep(double dt, PondingWater water)
    {
        var districtKpis = new DistrictStepKpis[_net.DistrictCount];
        for (var d = 0; d < districtKpis.Length; d++)
        {
            var speed = _dLength[d] > 0 ? _dSpeedL[d] / _dLength[d] : 0;
            districtKpis[d] = new DistrictStepKpis(_net.DistrictArray[d].Id, speed, _dDelay[d], _dCongested[d], water.Depth[d], _dFlooded[d]);
            _dSpeedTime[d] += speed * dt;
            _dDelayTotal[d] += _dDelay[d];
            _dVktTotal[d] += _dVkt[d];
            _dCongestedTime[d] += _dCongested[d] * dt;
            _dCongestedMax[d] = Math.Max(_dCongestedMax[d], _dCongested[d]);
            _dFloodedMax[d] = Math.Max(_dFloodedMax[d], _dFlooded[d]);
        }
        return districtKpis;
    }

    /// <summary>Each district over a run of <paramref name="time"/> minutes that ended with <paramref name="last"/>.</summary>
    public List<DistrictResult> DistrictResults(double time, StepKpis last, PondingWater water)
    {
        var results = new List<DistrictResult>(_net.DistrictCount);
        for (var d = 0; d < _net.DistrictCount; d++)
        {
            var spec = _net.DistrictArray[d];
            var final = last.Districts[d];
            results.Add(new DistrictResult(spec.Id, spec.Name, _dSpeedTime[d] / time, _dDelayTotal[d], _dVktTotal[d],
                _dCongestedTime[d] / time, _dCongestedMax[d], final.MeanSpeedKmh, final.CongestedKm, water.MaxDepth[d], water.Depth[d],
                _dFloodedMax[d]));
        }
        return results;
    }

    /// <summary>Each segment at the end of a run of <paramref name="horizonMinutes"/>: status, flows, level of service, delay, water.</summary>
    public List<SegmentResult> SegmentResults(LinkConditions now, double[] flow, RoadConditions roads, PondingWater water, double horizonMinutes)
    {
        var results = new List<SegmentResult>(_net.SegmentCount);
        var hours = horizonMinutes / 60;
        for (var s = 0; s < _net.SegmentCount; s++)
        {
            var spec = _net.SegmentArray[s];
            var forward = _net.SegmentForwardLink[s];
            var backward = _net.SegmentBackwardLink[s];
            var status = roads.Closed[s] ? SegmentStatus.Closed
                : roads.Flooded[s] ? SegmentStatus.Flooded
                : roads.Incident[s] ? SegmentStatus.Incident
                : SegmentStatus.Open;
            var forwardFlow = now.Available[forward] ? flow[forward] : 0;
            var backwardFlow = backward >= 0 && now.Available[backward] ? flow[backward] : 0;
            double speed = 0, ratio = 0;
            LevelOfService? los = null;
            if (now.Available[forward])
            {
                (speed, ratio, los) = Direction(now, flow, spec, forward);
                if (backward >= 0)
                {
                    var other = Direction(now, flow, spec, backward);
                    if (other.Los > los || (other.Los == los && other.Ratio > ratio))
                    {
                        (speed, ratio, los) = other;
                    }
                }
            }
            results.Add(new SegmentResult(spec.Id, spec.Name, spec.DistrictId, status, forwardFlow + backwardFlow, forwardFlow, backwardFlow,
                speed, ratio, los, _segFlowHours[s] / hours, _segDelay[s], water.OnSegment(s), water.SegmentMaxDepth[s]));
        }
        return results;
    }

    private (double Speed, double Ratio, LevelOfService? Los) Direction(LinkConditions now, double[] flow, SegmentSpec spec, int link)
    {
        var linkFlow = flow[link];
        var speed = _net.LinkLengthKmArray[link] / Hours(now, link, linkFlow);
        // The same LOS rule as live segments, on this direction's capacity.
        var los = SegmentTrafficModel.LevelOf(speed, linkFlow, spec with { CapacityVph = now.CapacityVph[link] });
        return (speed, linkFlow / now.CapacityVph[link], los);
    }

    private double Hours(LinkConditions now, int link, double flowVph) => _measuredHours?[link] ?? now.TravelHours(link, flowVph);
}
