using IocTwin.Model;
using IocTwin.Simulation.Dynamic;

namespace IocTwin.Simulation;

/// <summary>
/// One run of <see cref="Simulator"/>: every step, the roads (<see cref="RoadConditions"/>), the routes
/// (<see cref="AssignmentEngine"/>), the traffic KPIs (<see cref="TrafficKpis"/>), the trips (<see cref="TripStages"/>)
/// and the water for the next step (<see cref="PondingWater"/>). Buffers are allocated once and reused every step.
/// </summary>
internal sealed class SimulationRun
{
    private readonly RoadNetwork _net;
    private readonly BaselineDemand _baseline;
    private readonly ScenarioPlan _plan;
    private readonly ScenarioInputs _inputs;
    private readonly SimulationOptions _o;
    private readonly double _horizon;
    private readonly double _stepMinutes;
    private readonly int _steps;
    private readonly int _rerouteEvery;

    private readonly AssignmentEngine _engine;
    private readonly LinkConditions _now, _next;
    private readonly double[] _scale, _flow, _cost;
    private readonly RoadConditions _roads;
    private readonly PondingWater _water;
    private readonly TrafficKpis _traffic;
    private readonly TripStages _trips;
    private readonly DynamicLoading? _dynamic;
    private readonly List<AssignmentRecord> _assignments = [];

    public SimulationRun(RoadNetwork network, BaselineDemand baseline, ScenarioPlan plan, ScenarioInputs inputs, SimulationOptions options,
        double horizonMinutes, double stepSeconds)
    {
        _net = network;
        _baseline = baseline;
        _plan = plan;
        _inputs = inputs;
        _o = options;
        _horizon = horizonMinutes;
        _stepMinutes = stepSeconds / 60;
        _steps = Math.Max(1, (int)Math.Ceiling(horizonMinutes / _stepMinutes - 1e-9));
        _rerouteEvery = Math.Max(1, (int)Math.Round(options.RerouteEveryMinutes / _stepMinutes));
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

        var links = network.LinkCount;
        _now = new LinkConditions(network, options);
        _next = new LinkConditions(network, options);
        _scale = new double[components.Count];
        _flow = new double[links];
        _cost = new double[links];

        _water = new PondingWater(network, options);
        _roads = new RoadConditions(network, plan, options, _water);
        _traffic = new TrafficKpis(network, options);
        _trips = new TripStages(network, baseline, _engine, zones.Count, groupEntries);
        if (inputs.Model == TrafficModel.Dynamic)
        {
            _dynamic = new DynamicLoading(network, zones, _engine, options, _stepMinutes, _steps);
            _traffic.UseMeasuredTimes(_dynamic.TravelHours);
        }
    }

    public SimulationResult Execute(Action<SimulationProgress>? progress, CancellationToken cancellationToken)
    {
        var stepKpis = new List<StepKpis>(_steps);
        double totalDelay = 0, totalStranded = 0, totalVkt = 0, totalVht = 0, speedTime = 0, congestedTime = 0, congestedMax = 0, timeTotal = 0;
        for (var step = 0; step < _steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var minute = step * _stepMinutes;
            var dt = Math.Min(_stepMinutes, _horizon - minute);
            var dtHours = dt / 60;

            // 1. What the roads offer during this step, and the demand.
            var rerouteTick = step % _rerouteEvery == 0;
            _roads.Fill(minute, dt, rerouteTick || step == 0, _next);
            var changes = _now.ChangesTo(_next);
            var activated = SetScales(minute, dt, out var demandWindowChanged);
            _next.CopyTo(_now);
            _water.SlowWading(_now);

            // 2. Routes: from scratch at the start; in full after a closure, a reopening or new demand; else a step on.
            AssignmentTrigger? trigger = step == 0 ? AssignmentTrigger.Start
                : changes.Availability || activated ? AssignmentTrigger.NetworkChange
                : changes.Parameters || demandWindowChanged || rerouteTick ? AssignmentTrigger.Reroute
                : null;
            var rerouted = trigger is not null;
            if (trigger is { } why)
            {
                // A re-route for the demand's drift alone updates the routes by a bounded number of iterations.
                var driftOnly = why == AssignmentTrigger.Reroute && !changes.Parameters && !demandWindowChanged;
                var (iterations, gap, converged) = _engine.Equilibrate(_now, _scale, fromScratch: why == AssignmentTrigger.Start, _flow, _cost,
                    driftOnly && _o.RerouteIterations is { } bound ? Math.Min(bound, _o.AssignmentIterationLimit) : null);
                _assignments.Add(new AssignmentRecord(step, minute, why, iterations, gap, converged));
            }
            _engine.TotalFlow(_scale, _flow);

            // 3. Trips: departures and, in the static model, arrivals.
            if (step == 0)
            {
                _trips.SteadyState(dt, _scale[0]);
            }
            var demand = _trips.Advance(dt, _scale);

            // 4. Traffic KPIs: on the equilibrium flows, or on the step's dynamic loading of the roads.
            _dynamic?.Advance(step, minute, dt, _now, _scale, _trips.DepartureRates);
            var flow = _dynamic?.FlowVph ?? _flow;
            var k = _traffic.Measure(_now, flow, _roads, dtHours);
            totalDelay += k.Delay;
            totalVkt += k.Vkt;
            totalVht += k.Vht;
            speedTime += k.MeanSpeed * dt;
            congestedTime += k.CongestedKm * dt;
            congestedMax = Math.Max(congestedMax, k.CongestedKm);
            timeTotal += dt;

            // 5. Water for the next step.
            var maxDepth = _water.Rain(_roads.RainDepthInput, dtHours);

            var districtKpis = _traffic.EndStep(dt, _water);
            var balance = _dynamic?.Balance() ?? _trips.Balance();
            var strandedHours = balance.Stranded * dtHours;
            totalStranded += strandedHours;
            var kpis = new StepKpis(step, minute, TimeOfDay(minute), k.MeanSpeed, k.Delay, totalDelay, k.CongestedKm, k.Vkt, demand,
                k.Closed, k.Flooded, maxDepth, strandedHours, rerouted, balance, districtKpis);
            stepKpis.Add(kpis);
            progress?.Invoke(new SimulationProgress(step, _steps, kpis));
        }

        var last = stepKpis[^1];
        var network = new RunKpis(speedTime / timeTotal, totalDelay, totalStranded, totalVkt, totalVht, congestedTime / timeTotal, congestedMax,
            last.MeanSpeedKmh, last.CongestedKm);
        return new SimulationResult
        {
            NetworkId = _net.Id,
            StartTimeOfDay = _inputs.StartTimeOfDay,
            HorizonMinutes = _horizon,
            StepSeconds = _stepMinutes * 60,
            Steps = stepKpis,
            Network = network,
            Districts = _traffic.DistrictResults(timeTotal, last, _water),
            Segments = _traffic.SegmentResults(_now, _dynamic?.FlowVph ?? _flow, _roads, _water, _horizon),
            OdPairs = _trips.OdResults(),
            Trips = last.Trips,
            ClosedSegmentIds = _roads.SegmentIds(_roads.Closed),
            FloodedSegmentIds = _roads.SegmentIds(_roads.Flooded),
            EverFloodedSegmentIds = _roads.SegmentIds(_roads.EverFlooded),
            BaselinePeakTripsPerHour = _baseline.PeakTripsPerHour,
            Assignments = _assignments,
            Model = _inputs.Model,
            Queues = _dynamic?.Queues(),
        };
    }

    /// <summary>The scale of the usual demand at the first step of a run, as <see cref="SetScales"/> sets it.</summary>
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

    /// <summary>Scales of the demand components for the step; true when one starts with no routes yet.</summary>
    private bool SetScales(double minute, double dt, out bool windowChanged)
    {
        var timeOfDay = _inputs.StartTimeOfDay + TimeSpan.FromMinutes(minute + dt / 2);
        _scale[0] = _o.DemandFactorAt(timeOfDay) * _inputs.BaselineDemandScale;
        var fresh = false;
        windowChanged = false;
        for (var g = 0; g < _plan.DemandGroups.Count; g++)
        {
            var group = _plan.DemandGroups[g];
            var overlap = Math.Max(0, Math.Min(group.End, minute + dt) - Math.Max(group.Start, minute));
            var scale = overlap / dt;
            windowChanged |= (scale > 0) != (_scale[g + 1] > 0);
            fresh |= scale > 0 && !_engine.HasRoutes[g + 1];
            _scale[g + 1] = scale;
        }
        return fresh;
    }
}
