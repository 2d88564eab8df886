namespace IocTwin.Simulation;

/// <summary>
/// Standing water during a run: each district's ponding depth in metres (rain beyond the drainage capacity raises it,
/// × <see cref="SimulationOptions.RunoffConcentration"/>; it drains at the drainage capacity) and the deepest water
/// each district and segment has seen. A segment's water is its district's depth times its flood susceptibility.
/// </summary>
internal sealed class PondingWater
{
    private readonly RoadNetwork _net;
    private readonly SimulationOptions _o;

    public PondingWater(RoadNetwork network, SimulationOptions options)
    {
        _net = network;
        _o = options;
        Depth = new double[network.DistrictCount];
        MaxDepth = new double[network.DistrictCount];
        SegmentMaxDepth = new double[network.SegmentCount];
    }

    /// <summary>Ponding depth of each district now, in metres.</summary>
    public double[] Depth { get; }

    /// <summary>Deepest ponding of each district so far, in metres.</summary>
    public double[] MaxDepth { get; }

    /// <summary>Deepest water on each segment so far, in metres.</summary>
    public double[] SegmentMaxDepth { get; }

    /// <summary>Water standing on <paramref name="segment"/> now, in metres.</summary>
    public double OnSegment(int segment) => Depth[_net.SegmentDistrictArray[segment]] * _net.FloodFactorArray[segment];

    /// <summary>
    /// Rains <paramref name="rainMmPerHour"/> on each district for <paramref name="dtHours"/> and drains it; returns the
    /// deepest district ponding after the step.
    /// </summary>
    public double Rain(double[] rainMmPerHour, double dtHours)
    {
        var deepest = 0.0;
        var drain = _o.DrainageMmPerHour;
        for (var d = 0; d < Depth.Length; d++)
        {
            Depth[d] = Math.Max(0, Depth[d] + _o.RunoffConcentration * (rainMmPerHour[d] - drain) / 1000 * dtHours);
            MaxDepth[d] = Math.Max(MaxDepth[d], Depth[d]);
            deepest = Math.Max(deepest, Depth[d]);
        }
        for (var s = 0; s < _net.SegmentCount; s++)
        {
            SegmentMaxDepth[s] = Math.Max(SegmentMaxDepth[s], OnSegment(s));
        }
        return deepest;
    }

    /// <summary>Standing water below the flood depth slows traffic.</summary>
    public void SlowWading(LinkConditions now)
    {
        for (var a = 0; a < _net.LinkCount; a++)
        {
            var water = OnSegment(_net.LinkSegmentArray[a]);
            now.SpeedFactor[a] = 1 - _o.WadingSpeedLoss * Math.Min(1, water / _o.FloodDepthM);
        }
    }
}
