using IocTwin.Model;
using IocTwin.Simulation.Dynamic;

namespace IocTwin.Simulation;

/// <summary>
/// One run of <see cref="Simulator"/>: every step, the roads and the demand (<see cref="StepConditions"/>), the routes
/// (<see cref="AssignmentEngine"/>, worked out ahead by a <see cref="RoutePlanner"/>), the traffic KPIs
/// (<see cref="TrafficKpis"/>), the trips (<see cref="TripStages"/>) and the water for the next step. Buffers are
/// allocated once and reused every step.
/// </summary>
internal sealed class SimulationRun
{
    private readonly RoadNetwork _net;
    private readonly BaselineDemand _baseline;
    private readonly ScenarioInputs _inputs;
    private readonly SimulationOptions _o;
    private readonly double _horizon;

    private readonly AssignmentEngine _engine;
    private readonly StepConditions _conditions, _plannerConditions;
    private readonly RouteSnapshot _routes;
    private readonly double[] _flow;
    private readonly TrafficKpis _traffic;
    private readonly TripStages _trips;
    private readonly DynamicLoading? _dynamic;
    private readonly List<AssignmentRecord> _assignments = [];

    public SimulationRun(RoadNetwork network, BaselineDemand baseline, ScenarioPlan plan, ScenarioInputs inputs, SimulationOptions options,
        double horizonMinutes, double stepSeconds)
    {
        _net = network;
        _baseline = baseline;
        _inputs = inputs;
        _o = options;
        _horizon = horizonMinutes;
        var districts = network.DistrictCount;

        // Zones: the districts, then the node sets that added demand names.
        var zoneList = new List<ZoneSet.Zone>();
        for (var z = 0; z < baseline.Zones.Count; z++)
        {
            zoneList.Add(baseline.Zones[z]);
        }
        foreach (var nodes in plan.NodeSets)
        {
            zoneList.Add(ZoneSet.Nodes(nodes));
        }
        var zones = ZoneSet.Create(zoneList);

        var groupEntries = AddedDemandRates.Expand(baseline, districts, plan.DemandGroups);
        var components = new List<OdComponent>
        {
            new(zones.Count, BaselineDemand.Entries(_baseline.PeakTripsPerHourMatrix, districts)),
        };
        foreach (var entries in groupEntries)
        {
            components.Add(new OdComponent(zones.Count, entries));
        }
        _engine = new AssignmentEngine(network, zones, components.ToArray(), options);
        var startScale = StartScale(inputs, options, horizonMinutes, stepSeconds);
        if (startScale > 0)
        {
            _engine.StartFrom(network.GetBaselineRoutes(options, BaselineRoutes.LevelOf(startScale)));
        }

        var stepMinutes = stepSeconds / 60;
        _conditions = new StepConditions(network, plan, inputs, options, horizonMinutes, stepMinutes, components.Count);
        _plannerConditions = new StepConditions(network, plan, inputs, options, horizonMinutes, stepMinutes, components.Count);
        _routes = new RouteSnapshot(_engine);
        _flow = new double[network.LinkCount];
        _traffic = new TrafficKpis(network, options);
        _trips = new TripStages(network, baseline, _routes, zones.Count, groupEntries);
        if (inputs.Model == TrafficModel.Dynamic)
        {
            _dynamic = new DynamicLoading(network, zones, _routes, options, stepMinutes, _conditions.Steps);
            _traffic.UseMeasuredTimes(_dynamic.TravelHours);
        }
    }

    public SimulationResult Execute(Action<SimulationProgress>? progress, CancellationToken cancellationToken)
    {
        var steps = _conditions.Steps;
        var stepKpis = new List<StepKpis>(steps);
        double totalDelay = 0, totalStranded = 0, totalVkt = 0, totalVht = 0, speedTime = 0, congestedTime = 0, congestedMax = 0, timeTotal = 0;
        var now = _conditions.Now;
        var roads = _conditions.Roads;
        var water = _conditions.Water;
        var scale = _conditions.Scale;
        using var planner = new RoutePlanner(_engine, _plannerConditions, _o, _net.LinkCount, cancellationToken);
        for (var step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var minute = _conditions.Minute(step);
            var dt = _conditions.Length(step);
            var dtHours = dt / 60;

            // 1. What the roads offer during this step, and the demand.
            var assignment = _conditions.Begin(step, _routes.HasRoutes);

            // 2. Routes: from the planner, which works out the step's assignment ahead of it.
            var rerouted = assignment is not null;
            if (rerouted)
            {
                var (record, routes) = planner.Take(step, cancellationToken);
                _routes.CopyFrom(routes);
                planner.Return(routes);
                _assignments.Add(record);
            }
            _routes.TotalFlow(scale, _flow);

            // 3. Trips: departures and, in the static model, arrivals.
            if (step == 0)
            {
                _trips.SteadyState(dt, scale[0]);
            }
            var demand = _trips.Advance(dt, scale);

            // 4. Traffic KPIs: on the equilibrium flows, or on the step's dynamic loading of the roads.
            _dynamic?.Advance(step, minute, dt, now, scale, _trips.DepartureRates);
            var flow = _dynamic?.FlowVph ?? _flow;
            var k = _traffic.Measure(now, flow, roads, dtHours);
            totalDelay += k.Delay;
            totalVkt += k.Vkt;
            totalVht += k.Vht;
            speedTime += k.MeanSpeed * dt;
            congestedTime += k.CongestedKm * dt;
            congestedMax = Math.Max(congestedMax, k.CongestedKm);
            timeTotal += dt;

            // 5. Water for the next step.
            var maxDepth = _conditions.End(step);

            var districtKpis = _traffic.EndStep(dt, water);
            var balance = _dynamic?.Balance() ?? _trips.Balance();
            var strandedHours = balance.Stranded * dtHours;
            totalStranded += strandedHours;
            var kpis = new StepKpis(step, minute, TimeOfDay(minute), k.MeanSpeed, k.Delay, totalDelay, k.CongestedKm, k.Vkt, demand,
                k.Closed, k.Flooded, maxDepth, strandedHours, rerouted, balance, districtKpis);
            stepKpis.Add(kpis);
            progress?.Invoke(new SimulationProgress(step, steps, kpis));
        }

        var last = stepKpis[^1];
        var network = new RunKpis(speedTime / timeTotal, totalDelay, totalStranded, totalVkt, totalVht, congestedTime / timeTotal, congestedMax,
            last.MeanSpeedKmh, last.CongestedKm);
        return new SimulationResult
        {
            NetworkId = _net.Id,
            StartTimeOfDay = _inputs.StartTimeOfDay,
            HorizonMinutes = _horizon,
            StepSeconds = _conditions.StepMinutes * 60,
            Steps = stepKpis,
            Network = network,
            Districts = _traffic.DistrictResults(timeTotal, last, water),
            Segments = _traffic.SegmentResults(now, _dynamic?.FlowVph ?? _flow, roads, water, _horizon),
            OdPairs = _trips.OdResults(),
            Trips = last.Trips,
            ClosedSegmentIds = roads.SegmentIds(roads.Closed),
            FloodedSegmentIds = roads.SegmentIds(roads.Flooded),
            EverFloodedSegmentIds = roads.SegmentIds(roads.EverFlooded),
            BaselinePeakTripsPerHour = _baseline.PeakTripsPerHour,
            Assignments = _assignments,
            Model = _inputs.Model,
            Queues = _dynamic?.Queues(),
        };
    }

    /// <summary>The scale of the usual demand at the first step of a run, as <see cref="StepConditions.Begin"/> sets it.</summary>
    internal static double StartScale(ScenarioInputs inputs, SimulationOptions options, double horizonMinutes, double stepSeconds)
    {
        var dt = Math.Min(stepSeconds / 60, horizonMinutes);
        return options.DemandFactorAt(inputs.StartTimeOfDay + TimeSpan.FromMinutes(dt / 2)) * inputs.BaselineDemandScale;
    }

    private TimeSpan TimeOfDay(double minute)
    {
        var ticks = (_inputs.StartTimeOfDay + TimeSpan.FromMinutes(minute)).Ticks % TimeSpan.TicksPerDay;
        return TimeSpan.FromTicks(ticks);
    }
}
