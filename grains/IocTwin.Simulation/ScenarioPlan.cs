namespace IocTwin.Simulation;

internal enum ActionKind { Close, Reopen, Capacity, SpeedLimit, Incident, Rain }

internal enum EndKind { City, District, NodeSet }

/// <summary>A checked intervention on a segment (or, for rain, a district) by index, with its window in minutes.</summary>
internal readonly record struct PlannedAction(ActionKind Kind, int Target, double Value, double Start, double End);

internal readonly record struct EndRef(EndKind Kind, int Index);

internal readonly record struct PlannedDemand(EndRef Origin, EndRef Destination, double TripsPerHour);

/// <summary>Added demand sharing one window: one demand component of the assignment.</summary>
internal sealed record DemandGroup(double Start, double End, List<PlannedDemand> Demands);

/// <summary>
/// Scenario inputs checked against a network and resolved to indices. Every problem is an
/// <see cref="ArgumentException"/> whose parameter name is the path of the offending field.
/// </summary>
internal sealed class ScenarioPlan
{
    public const double MaxRainMmPerHour = 500;
    public const double MaxAddedTrips = 10_000_000;

    private ScenarioPlan(List<PlannedAction> actions, List<int[]> nodeSets, List<DemandGroup> groups)
    {
        Actions = actions.ToArray();
        NodeSets = nodeSets;
        DemandGroups = groups;
    }

    public PlannedAction[] Actions { get; }

    /// <summary>Node sets named by added demand, each a zone after the districts.</summary>
    public IReadOnlyList<int[]> NodeSets { get; }

    public IReadOnlyList<DemandGroup> DemandGroups { get; }

    public static ScenarioPlan Compile(RoadNetwork network, ScenarioInputs inputs, double horizonMinutes)
    {
        if (inputs.StartTimeOfDay < TimeSpan.Zero || inputs.StartTimeOfDay >= TimeSpan.FromDays(1))
        {
            throw new ArgumentException("The start time of day must be from 00:00 to before 24:00.", "inputs.StartTimeOfDay");
        }
        if (!(inputs.BaselineDemandScale >= 0 && inputs.BaselineDemandScale <= 100))
        {
            throw new ArgumentException("The baseline demand scale must be 0 to 100.", "inputs.BaselineDemandScale");
        }
        if (inputs.Interventions is null)
        {
            throw new ArgumentException("Interventions may be empty but not null.", "inputs.Interventions");
        }

        var actions = new List<PlannedAction>();
        var nodeSets = new List<int[]>();
        var nodeSetIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = new List<DemandGroup>();
        for (var i = 0; i < inputs.Interventions.Count; i++)
        {
            var path = $"inputs.Interventions[{i}]";
            var iv = inputs.Interventions[i] ?? throw new ArgumentException("An intervention is null.", path);
            if (!(iv.StartMinute >= 0 && iv.StartMinute < horizonMinutes))
            {
                throw new ArgumentException(
                    $"The window must start within the run, at 0 or later and before minute {horizonMinutes}; it starts at {iv.StartMinute}.",
                    $"{path}.StartMinute");
            }
            if (iv.EndMinute is { } given && !(given > iv.StartMinute && double.IsFinite(given)))
            {
                throw new ArgumentException($"The window must end after it starts; it runs from {iv.StartMinute} to {given}.",
                    $"{path}.EndMinute");
            }
            // Rates come from the whole window; the run sees the part of it within the horizon.
            var windowEnd = iv.EndMinute ?? horizonMinutes;
            var end = Math.Min(windowEnd, horizonMinutes);

            switch (iv)
            {
                case CloseSegment close:
                    actions.Add(new(ActionKind.Close, Segment(network, close.SegmentId, path), 0, iv.StartMinute, end));
                    break;
                case ReopenSegment reopen:
                    actions.Add(new(ActionKind.Reopen, Segment(network, reopen.SegmentId, path), 0, iv.StartMinute, end));
                    break;
                case ChangeCapacity capacity:
                    var segment = Segment(network, capacity.SegmentId, path);
                    Require(capacity.CapacityVph > 0 && capacity.CapacityVph <= 30_000, $"{path}.CapacityVph",
                        "The capacity must be more than 0 and at most 30,000 veh/h; close the segment to take it out.");
                    actions.Add(new(ActionKind.Capacity, segment, capacity.CapacityVph, iv.StartMinute, end));
                    break;
                case ChangeSpeedLimit limit:
                    segment = Segment(network, limit.SegmentId, path);
                    Require(limit.SpeedKmh is >= 5 and <= 150, $"{path}.SpeedKmh", "The speed limit must be 5 to 150 km/h.");
                    actions.Add(new(ActionKind.SpeedLimit, segment, limit.SpeedKmh, iv.StartMinute, end));
                    break;
                case Incident incident:
                    segment = Segment(network, incident.SegmentId, path);
                    Require(incident.CapacityReduction is > 0 and <= 1, $"{path}.CapacityReduction",
                        "The capacity reduction is a share: more than 0 and at most 1.");
                    actions.Add(new(ActionKind.Incident, segment, incident.CapacityReduction, iv.StartMinute, end));
                    break;
                case Rainfall rain:
                    var district = District(network, rain.DistrictId, $"{path}.DistrictId");
                    Require(rain.MmPerHour is >= 0 and <= MaxRainMmPerHour, $"{path}.MmPerHour",
                        $"The rain rate must be 0 to {MaxRainMmPerHour} mm/h.");
                    actions.Add(new(ActionKind.Rain, district, rain.MmPerHour, iv.StartMinute, end));
                    break;
                case AddDemand demand:
                    Require(demand.Trips > 0 && demand.Trips <= MaxAddedTrips, $"{path}.Trips",
                        $"The trips must be more than 0 and at most {MaxAddedTrips:N0}.");
                    var origin = End(network, demand.Origin, $"{path}.Origin", nodeSets, nodeSetIndex);
                    var destination = End(network, demand.Destination, $"{path}.Destination", nodeSets, nodeSetIndex);
                    var group = groups.FirstOrDefault(g => g.Start == iv.StartMinute && g.End == end);
                    if (group is null)
                    {
                        groups.Add(group = new DemandGroup(iv.StartMinute, end, []));
                    }
                    group.Demands.Add(new PlannedDemand(origin, destination, demand.Trips / ((windowEnd - iv.StartMinute) / 60)));
                    break;
                default:
                    throw new ArgumentException($"Unknown intervention '{iv.GetType().Name}'.", path);
            }
        }
        return new ScenarioPlan(actions, nodeSets, groups);
    }

    private static void Require(bool ok, string field, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message, field);
        }
    }

    private static int Segment(RoadNetwork network, string? id, string path) =>
        id is not null && network.TryGetSegmentIndex(id, out var index)
            ? index
            : throw new ArgumentException($"Unknown segment '{id}'.", $"{path}.SegmentId");

    private static int District(RoadNetwork network, string? id, string field) =>
        id is not null && network.TryGetDistrictIndex(id, out var index)
            ? index
            : throw new ArgumentException($"Unknown district '{id}'.", field);

    private static EndRef End(RoadNetwork network, DemandEnd? end, string path, List<int[]> nodeSets, Dictionary<string, int> nodeSetIndex)
    {
        if (end is null)
        {
            throw new ArgumentException("Say where the trips start or end: a district, a set of nodes or the whole city.", path);
        }
        if (end.DistrictId is not null && end.NodeIds is not null)
        {
            throw new ArgumentException("Give a district or a set of nodes, not both.", path);
        }
        if (end.DistrictId is not null)
        {
            var district = District(network, end.DistrictId, $"{path}.DistrictId");
            if (!network.NodeDistrictArray.Contains(district))
            {
                throw new ArgumentException($"District '{end.DistrictId}' has no roads for trips to start or end on.", $"{path}.DistrictId");
            }
            return new EndRef(EndKind.District, district);
        }
        if (end.NodeIds is not null)
        {
            if (end.NodeIds.Count is 0 or > DemandEnd.MaxNodes)
            {
                throw new ArgumentException($"A node set has 1 to {DemandEnd.MaxNodes} nodes.", $"{path}.NodeIds");
            }
            var nodes = new SortedSet<int>();
            for (var k = 0; k < end.NodeIds.Count; k++)
            {
                var id = end.NodeIds[k];
                if (id is null || !network.TryGetNodeIndex(id, out var node))
                {
                    throw new ArgumentException($"Unknown node '{id}'.", $"{path}.NodeIds[{k}]");
                }
                nodes.Add(node);
            }
            var key = string.Join(',', nodes);
            if (!nodeSetIndex.TryGetValue(key, out var index))
            {
                index = nodeSets.Count;
                nodeSets.Add(nodes.ToArray());
                nodeSetIndex.Add(key, index);
            }
            return new EndRef(EndKind.NodeSet, index);
        }
        if (network.NodeCount == 0)
        {
            throw new ArgumentException("The city has no roads for trips to start or end on.", path);
        }
        return new EndRef(EndKind.City, -1);
    }
}
