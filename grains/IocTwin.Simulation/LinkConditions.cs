namespace IocTwin.Simulation;

/// <summary>What each link offers at a moment: open or not, capacity, free-flow speed; and the BPR travel time it gives.</summary>
internal sealed class LinkConditions
{
    private readonly RoadNetwork _network;
    private readonly double _alpha, _beta, _minSpeedKmh;

    public LinkConditions(RoadNetwork network, SimulationOptions options)
    {
        _network = network;
        _alpha = options.BprAlpha;
        _beta = options.BprBeta;
        _minSpeedKmh = options.MinSpeedKmh;
        var links = network.LinkCount;
        Available = new bool[links];
        CapacityVph = new double[links];
        FreeFlowKmh = new double[links];
        SpeedFactor = new double[links];
        Array.Fill(SpeedFactor, 1.0);
    }

    public bool[] Available { get; }

    public double[] CapacityVph { get; }

    /// <summary>Free-flow speed from the speed limit and rain; standing water slows it further by <see cref="SpeedFactor"/>.</summary>
    public double[] FreeFlowKmh { get; }

    public double[] SpeedFactor { get; }

    /// <summary>The network as registered: registered closures and floods closed, registered incidents at reduced capacity.</summary>
    public static LinkConditions AsRegistered(RoadNetwork network, SimulationOptions options)
    {
        var conditions = new LinkConditions(network, options);
        for (var a = 0; a < network.LinkCount; a++)
        {
            var status = network.SegmentArray[network.LinkSegmentArray[a]].Status;
            conditions.Available[a] = status is not (Model.SegmentStatus.Closed or Model.SegmentStatus.Flooded);
            conditions.CapacityVph[a] = network.LinkCapacityVphArray[a] *
                (status == Model.SegmentStatus.Incident ? options.RegisteredIncidentCapacityShare : 1);
            conditions.FreeFlowKmh[a] = network.LinkFreeFlowKmhArray[a];
        }
        return conditions;
    }

    /// <summary>Travel time in hours on an open link carrying <paramref name="flowVph"/>.</summary>
    public double TravelHours(int link, double flowVph)
    {
        var length = _network.LinkLengthKmArray[link];
        var freeFlow = FreeFlowKmh[link] * SpeedFactor[link];
        var ratio = flowVph / CapacityVph[link];
        var power = _beta == 4 ? ratio * ratio * ratio * ratio : Math.Pow(ratio, _beta);
        var hours = length / freeFlow * (1 + _alpha * power);
        return Math.Min(hours, MaxTravelHours(link));
    }

    /// <summary>The longest an open link takes however much it carries: its length at the slowest moving speed.</summary>
    public double MaxTravelHours(int link) => _network.LinkLengthKmArray[link] / _minSpeedKmh;

    /// <summary>Link costs in minutes at the given flows; closed links cost +∞.</summary>
    public void ComputeCosts(double[] flowVph, double[] costMinutes)
    {
        for (var a = 0; a < costMinutes.Length; a++)
        {
            costMinutes[a] = Available[a] ? TravelHours(a, flowVph[a]) * 60 : double.PositiveInfinity;
        }
    }

    /// <summary>Whether any link opens or closes between these conditions and <paramref name="next"/>, and whether any capacity or speed changes.</summary>
    public (bool Availability, bool Parameters) ChangesTo(LinkConditions next)
    {
        bool availability = false, parameters = false;
        for (var a = 0; a < Available.Length; a++)
        {
            availability |= Available[a] != next.Available[a];
            parameters |= CapacityVph[a] != next.CapacityVph[a] || FreeFlowKmh[a] != next.FreeFlowKmh[a];
        }
        return (availability, parameters);
    }

    public void CopyTo(LinkConditions other)
    {
        Available.CopyTo(other.Available, 0);
        CapacityVph.CopyTo(other.CapacityVph, 0);
        FreeFlowKmh.CopyTo(other.FreeFlowKmh, 0);
        SpeedFactor.CopyTo(other.SpeedFactor, 0);
    }
}
