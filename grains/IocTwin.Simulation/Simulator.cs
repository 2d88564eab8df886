using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// Runs what-if scenarios on a <see cref="RoadNetwork"/>: a time-stepped macroscopic model of traffic, rain and
/// flooding.
/// </summary>
/// <remarks>
/// <para><b>Demand.</b> The usual demand (<see cref="BaselineDemand"/>) follows the time-of-day profile; added demand
/// departs evenly over its window. Trips start at a zone's origin nodes and end at its connectors.</para>
/// <para><b>Traffic.</b> At every step, link flows are the user-equilibrium flows of the current departure rates
/// (quasi-static assignment): BPR travel times, shortest-path trees per destination connector, combined by
/// Frank–Wolfe. Closed and flooded links are left out of the trees, so traffic goes round them; a trip with no open
/// route is reported, never dropped. Routes are updated every <see cref="SimulationOptions.RerouteEveryMinutes"/>
/// (<see cref="SimulationOptions.RerouteIterations"/> iterations, continuing from the current flows) and whenever a
/// closure, capacity, speed limit, rain or added demand starts or ends. After a closure, a reopening or the start of
/// added demand they get <see cref="SimulationOptions.ColdStartIterations"/>; demand that used a road just closed, or
/// that had trips with no route when a road opens, has its routes found again from scratch, the rest carries on from
/// its current routes. Queues do not spill back:
/// demand above capacity shows as BPR delay.</para>
/// <para><b>Trips.</b> Trips between two zones travel for the current zone-to-zone time through four stages in a row
/// (an Erlang-4 spread around that time, so no trip arrives at once). Trips that find no route at departure are
/// unreachable; trips whose route is cut on the way are stranded, wait, and go on if a road opens. The run starts in
/// steady state: the usual trips already on the road are <see cref="TripBalance.InitialEnRoute"/>.</para>
/// <para><b>Rain.</b> Each district holds a ponding depth: rain beyond the drainage capacity raises it
/// (× <see cref="SimulationOptions.RunoffConcentration"/>), and it drains at the drainage capacity. A segment's water
/// is that depth times its flood susceptibility (<see cref="RoadNetwork.FloodSusceptibility"/>); deeper than
/// <see cref="SimulationOptions.FloodDepthM"/> the segment is flooded and closed, shallower it slows traffic. Floods
/// are looked at every <see cref="SimulationOptions.RerouteEveryMinutes"/>, so a district's roads close and open in
/// batches. Rain also costs capacity and speed on the district's roads.</para>
/// <para>The same network, inputs and options always give the same result, bit for bit, whatever the number of cores.
/// A network may run many scenarios at once; its calibrated baseline demand is built on first use and kept.</para>
/// </remarks>
public static class Simulator
{
    public const double MaxHorizonMinutes = 7 * 24 * 60;
    public const int MaxSteps = 100_000;

    /// <summary>Checks scenario inputs against a network without running them.</summary>
    /// <exception cref="ArgumentException">An input is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public static void Validate(RoadNetwork network, ScenarioInputs inputs, double horizonMinutes) =>
        ScenarioPlan.Compile(network, inputs, horizonMinutes);

    /// <summary>Runs a scenario for <paramref name="horizonMinutes"/> in steps of <paramref name="stepSeconds"/>.</summary>
    /// <exception cref="ArgumentException">An input is invalid; <see cref="ArgumentException.ParamName"/> names it
    /// (for instance <c>inputs.Interventions[2].SegmentId</c>).</exception>
    public static SimulationResult Run(
        RoadNetwork network,
        ScenarioInputs inputs,
        double horizonMinutes,
        double stepSeconds,
        Action<SimulationProgress>? progress = null,
        SimulationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= SimulationOptions.Default;
        options.Validate();
        if (!(horizonMinutes > 0 && horizonMinutes <= MaxHorizonMinutes))
        {
            throw new ArgumentOutOfRangeException(nameof(horizonMinutes), horizonMinutes,
                $"The horizon must be more than 0 and at most {MaxHorizonMinutes} minutes.");
        }
        if (!(stepSeconds > 0 && double.IsFinite(stepSeconds)))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, "The step must be more than 0 seconds.");
        }
        if (horizonMinutes * 60 / stepSeconds > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds,
                $"A run has at most {MaxSteps} steps; take longer steps or a shorter horizon.");
        }
        var plan = ScenarioPlan.Compile(network, inputs, horizonMinutes);
        var baseline = network.GetBaseline(options);
        return new RunState(network, baseline, plan, inputs, options, horizonMinutes, stepSeconds).Execute(progress, cancellationToken);
    }

    /// <summary>The mutable state of one run: buffers are allocated once and reused every step.</summary>
    private sealed class RunState
    {
        private const int Stages = 4;

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
        private readonly ZoneSet _zones;
        private readonly int _zoneCount;
        private readonly int _districts;
        private readonly LinkConditions _now, _next;
        private readonly double[] _scale, _flow, _cost;
        private readonly double[] _q;
        private readonly double[][] _stage;
        private readonly (int Origin, int Destination, double Rate)[][] _groupEntries;
        private readonly double[] _odTrips, _odEntered, _odUnreachable, _odTimeSum, _odFreeSum;

        // Segments.
        private readonly bool[] _segClosed, _segReopened, _segIncident, _segFlooded, _segEverFlooded, _segCongested;
        private readonly double[] _segCapOverride, _segSpeedOverride, _segCapFactor;
        private readonly double[] _segDelay, _segFlowHours, _segMaxDepth;

        // Districts.
        private readonly double[] _rainNow, _rainDepthInput, _depth, _maxDepth;
        private readonly double[] _dSpeedL, _dLength, _dDelay, _dCongested, _dVkt;
        private readonly double[] _dSpeedTime, _dDelayTotal, _dVktTotal, _dCongestedTime, _dCongestedMax;
        private readonly int[] _dFlooded, _dFloodedMax;

        private double _initialEnRoute, _generated, _completed, _unreachable;
        private readonly List<AssignmentRecord> _assignments = [];

        public RunState(RoadNetwork network, BaselineDemand baseline, ScenarioPlan plan, ScenarioInputs inputs, SimulationOptions options,
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
            _districts = network.DistrictCount;

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
            _zones = ZoneSet.Create(zoneList);
            _zoneCount = _zones.Count;

            var shares = DistrictShares();
            _groupEntries = plan.DemandGroups.Select(g => Expand(g, shares)).ToArray();
            var components = new List<OdComponent>
            {
                new(_zoneCount, BaselineDemand.Entries(_baseline.PeakTripsPerHourMatrix, _districts)),
            };
            foreach (var entries in _groupEntries)
            {
                components.Add(new OdComponent(_zoneCount, entries));
            }
            _engine = new AssignmentEngine(network, _zones, components.ToArray(), options.MaxDegreeOfParallelism);

            var links = network.LinkCount;
            _now = new LinkConditions(network, options);
            _next = new LinkConditions(network, options);
            _scale = new double[components.Count];
            _flow = new double[links];
            _cost = new double[links];

            var pairs = _zoneCount * _zoneCount;
            _q = new double[pairs];
            _stage = new double[Stages][];
            for (var m = 0; m < Stages; m++)
            {
                _stage[m] = new double[pairs];
            }
            _odTrips = new double[pairs];
            _odEntered = new double[pairs];
            _odUnreachable = new double[pairs];
            _odTimeSum = new double[pairs];
            _odFreeSum = new double[pairs];

            var segments = network.SegmentCount;
            _segClosed = new bool[segments];
            _segReopened = new bool[segments];
            _segIncident = new bool[segments];
            _segFlooded = new bool[segments];
            _segEverFlooded = new bool[segments];
            _segCongested = new bool[segments];
            _segCapOverride = new double[segments];
            _segSpeedOverride = new double[segments];
            _segCapFactor = new double[segments];
            _segDelay = new double[segments];
            _segFlowHours = new double[segments];
            _segMaxDepth = new double[segments];

            _rainNow = new double[_districts];
            _rainDepthInput = new double[_districts];
            _depth = new double[_districts];
            _maxDepth = new double[_districts];
            _dSpeedL = new double[_districts];
            _dLength = new double[_districts];
            _dDelay = new double[_districts];
            _dCongested = new double[_districts];
            _dVkt = new double[_districts];
            _dSpeedTime = new double[_districts];
            _dDelayTotal = new double[_districts];
            _dVktTotal = new double[_districts];
            _dCongestedTime = new double[_districts];
            _dCongestedMax = new double[_districts];
            _dFlooded = new int[_districts];
            _dFloodedMax = new int[_districts];
        }

        /// <summary>Share of each district in the usual trips: where trips to or from "the whole city" go.</summary>
        private double[] DistrictShares()
        {
            var shares = new double[_districts];
            var matrix = _baseline.PeakTripsPerHourMatrix;
            for (var o = 0; o < _districts; o++)
            {
                for (var d = 0; d < _districts; d++)
                {
                    shares[o] += matrix[o * _districts + d];
                }
            }
            var total = shares.Sum();
            for (var d = 0; d < _districts; d++)
            {
                shares[d] = total > 0 ? shares[d] / total : (_baseline.Zones.HasConnectors(d) ? 1 : 0);
            }
            var sum = shares.Sum();
            for (var d = 0; d < _districts && sum > 0; d++)
            {
                shares[d] /= sum;
            }
            return shares;
        }

        /// <summary>Zone-to-zone rates of a group of added demand, trips per hour while its window is open.</summary>
        private (int Origin, int Destination, double Rate)[] Expand(DemandGroup group, double[] shares)
        {
            var entries = new List<(int, int, double)>();
            foreach (var demand in group.Demands)
            {
                foreach (var (o, a) in Spread(demand.Origin, shares))
                {
                    foreach (var (d, b) in Spread(demand.Destination, shares))
                    {
                        entries.Add((o, d, demand.TripsPerHour * a * b));
                    }
                }
            }
            return entries.ToArray();
        }

        private IEnumerable<(int Zone, double Share)> Spread(EndRef end, double[] shares)
        {
            switch (end.Kind)
            {
                case EndKind.District:
                    yield return (end.Index, 1);
                    break;
                case EndKind.NodeSet:
                    yield return (_districts + end.Index, 1);
                    break;
                default:
                    for (var d = 0; d < _districts; d++)
                    {
                        if (shares[d] > 0)
                        {
                            yield return (d, shares[d]);
                        }
                    }
                    break;
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
                Conditions(minute, dt, rerouteTick || step == 0);
                var changes = Compare();
                if (changes.Availability && step > 0)
                {
                    _engine.DropInfeasibleRoutes(_now.Available, _next.Available);
                }
                var activated = SetScales(minute, dt, out var demandWindowChanged);
                _next.CopyTo(_now);
                Wading();

                // 2. Routes: from scratch at the start; in full after a closure, a reopening or new demand; else a step on.
                AssignmentTrigger? trigger = step == 0 ? AssignmentTrigger.Start
                    : changes.Availability || activated ? AssignmentTrigger.NetworkChange
                    : changes.Parameters || demandWindowChanged || rerouteTick ? AssignmentTrigger.Reroute
                    : null;
                var rerouted = trigger is not null;
                if (trigger is { } why)
                {
                    var (iterations, gap, converged) = _engine.Equilibrate(_now, _scale,
                        why == AssignmentTrigger.Reroute ? _o.RerouteIterations : _o.ColdStartIterations,
                        fromScratch: why == AssignmentTrigger.Start, _o.ConvergenceGap, _flow, _cost);
                    _assignments.Add(new AssignmentRecord(step, minute, why, iterations, double.IsNaN(gap) ? null : gap, converged));
                }
                _engine.TotalFlow(_scale, _flow);

                // 3. Traffic KPIs.
                var k = LinkKpis(dtHours);
                totalDelay += k.Delay;
                totalVkt += k.Vkt;
                totalVht += k.Vht;
                speedTime += k.MeanSpeed * dt;
                congestedTime += k.CongestedKm * dt;
                congestedMax = Math.Max(congestedMax, k.CongestedKm);
                timeTotal += dt;

                // 4. Trips.
                if (step == 0)
                {
                    SteadyState(dt);
                }
                var demand = Trips(dt);

                // 5. Water for the next step.
                var maxDepth = Rain(dtHours);

                var districtKpis = new DistrictStepKpis[_districts];
                for (var d = 0; d < _districts; d++)
                {
                    var speed = _dLength[d] > 0 ? _dSpeedL[d] / _dLength[d] : 0;
                    districtKpis[d] = new DistrictStepKpis(_net.DistrictArray[d].Id, speed, _dDelay[d], _dCongested[d], _depth[d], _dFlooded[d]);
                    _dSpeedTime[d] += speed * dt;
                    _dDelayTotal[d] += _dDelay[d];
                    _dVktTotal[d] += _dVkt[d];
                    _dCongestedTime[d] += _dCongested[d] * dt;
                    _dCongestedMax[d] = Math.Max(_dCongestedMax[d], _dCongested[d]);
                    _dFloodedMax[d] = Math.Max(_dFloodedMax[d], _dFlooded[d]);
                }
                var balance = Balance();
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
                Districts = DistrictResults(timeTotal, last),
                Segments = SegmentResults(),
                OdPairs = OdResults(),
                Trips = Balance(),
                ClosedSegmentIds = SegmentIds(_segClosed),
                FloodedSegmentIds = SegmentIds(_segFlooded),
                EverFloodedSegmentIds = SegmentIds(_segEverFlooded),
                BaselinePeakTripsPerHour = _baseline.PeakTripsPerHour,
                Assignments = _assignments,
            };
        }

        private TimeSpan TimeOfDay(double minute)
        {
            var ticks = (_inputs.StartTimeOfDay + TimeSpan.FromMinutes(minute)).Ticks % TimeSpan.TicksPerDay;
            return TimeSpan.FromTicks(ticks);
        }

        // ------------------------------------------------------------ conditions

        /// <summary>Fills <see cref="_next"/> with the roads at <paramref name="minute"/>: interventions, rain and (when asked) floods.</summary>
        private void Conditions(double minute, double dt, bool lookAtWater)
        {
            Array.Clear(_segClosed);
            Array.Clear(_segReopened);
            Array.Clear(_segIncident);
            Array.Fill(_segCapOverride, double.NaN);
            Array.Fill(_segSpeedOverride, double.NaN);
            Array.Fill(_segCapFactor, 1.0);
            Array.Clear(_rainNow);
            Array.Clear(_rainDepthInput);
            foreach (var iv in _plan.Actions)
            {
                var active = iv.Start <= minute && minute < iv.End;
                if (iv.Kind == ActionKind.Rain)
                {
                    // Water counts the exact overlap of the window with the step; road conditions what holds at its start.
                    var overlap = Math.Max(0, Math.Min(iv.End, minute + dt) - Math.Max(iv.Start, minute));
                    _rainDepthInput[iv.Target] += iv.Value * overlap / dt;
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
                    case ActionKind.Close: _segClosed[s] = true; break;
                    case ActionKind.Reopen: _segReopened[s] = true; break;
                    case ActionKind.Capacity: _segCapOverride[s] = iv.Value; break;
                    case ActionKind.SpeedLimit: _segSpeedOverride[s] = iv.Value; break;
                    case ActionKind.Incident:
                        _segCapFactor[s] *= 1 - iv.Value;
                        _segIncident[s] = true;
                        break;
                }
            }

            if (lookAtWater)
            {
                for (var s = 0; s < _net.SegmentCount; s++)
                {
                    var water = _depth[_net.SegmentDistrictArray[s]] * _net.FloodFactorArray[s];
                    _segFlooded[s] = water > _o.FloodDepthM;
                    _segEverFlooded[s] |= _segFlooded[s];
                }
            }

            for (var s = 0; s < _net.SegmentCount; s++)
            {
                var spec = _net.SegmentArray[s];
                var reopened = _segReopened[s];
                if (spec.Status is SegmentStatus.Closed or SegmentStatus.Flooded && !reopened)
                {
                    _segClosed[s] = true;
                }
                if (spec.Status == SegmentStatus.Incident && !reopened)
                {
                    _segCapFactor[s] *= _o.RegisteredIncidentCapacityShare;
                    _segIncident[s] = true;
                }
                if (_segCapFactor[s] <= 0)
                {
                    _segClosed[s] = true;
                }
                var open = !_segClosed[s] && !_segFlooded[s];
                var district = _net.SegmentDistrictArray[s];
                var rain = Math.Min(1, _rainNow[district] / _o.HeavyRainMmPerHour);
                var capacity = (double.IsNaN(_segCapOverride[s]) ? spec.CapacityVph : _segCapOverride[s]) * (spec.OneWay ? 1 : 0.5)
                    * _segCapFactor[s] * (1 - _o.RainCapacityLoss * rain);
                var speed = (double.IsNaN(_segSpeedOverride[s]) ? spec.FreeFlowSpeedKmh : _segSpeedOverride[s]) * (1 - _o.RainSpeedLoss * rain);
                SetLink(_net.SegmentForwardLink[s], open, capacity, speed);
                if (_net.SegmentBackwardLink[s] >= 0)
                {
                    SetLink(_net.SegmentBackwardLink[s], open, capacity, speed);
                }
            }
        }

        private void SetLink(int link, bool open, double capacity, double speed)
        {
            _next.Available[link] = open;
            _next.CapacityVph[link] = open ? capacity : 0;
            _next.FreeFlowKmh[link] = speed;
        }

        private (bool Availability, bool Parameters) Compare()
        {
            bool availability = false, parameters = false;
            for (var a = 0; a < _net.LinkCount; a++)
            {
                availability |= _now.Available[a] != _next.Available[a];
                parameters |= _now.CapacityVph[a] != _next.CapacityVph[a] || _now.FreeFlowKmh[a] != _next.FreeFlowKmh[a];
            }
            return (availability, parameters);
        }

        /// <summary>Standing water below the flood depth slows traffic.</summary>
        private void Wading()
        {
            for (var a = 0; a < _net.LinkCount; a++)
            {
                var s = _net.LinkSegmentArray[a];
                var water = _depth[_net.SegmentDistrictArray[s]] * _net.FloodFactorArray[s];
                _now.SpeedFactor[a] = 1 - _o.WadingSpeedLoss * Math.Min(1, water / _o.FloodDepthM);
            }
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
                fresh |= scale > 0 && _engine.Iterations[g + 1] == 0;
                _scale[g + 1] = scale;
            }
            return fresh;
        }

        // ------------------------------------------------------------ KPIs

        private readonly record struct LinkTotals(double MeanSpeed, double Delay, double Vkt, double Vht, double CongestedKm, int Closed, int Flooded);

        private LinkTotals LinkKpis(double dtHours)
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
                if (!_now.Available[a])
                {
                    continue;
                }
                var len = _net.LinkLengthKmArray[a];
                var x = _flow[a];
                var hours = _now.TravelHours(a, x);
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
                if (x / _now.CapacityVph[a] >= _o.CongestedVolumeToCapacity || speed / _net.LinkFreeFlowKmhArray[a] <= _o.CongestedSpeedRatio)
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
                closed += _segClosed[s] ? 1 : 0;
                if (_segFlooded[s])
                {
                    flooded++;
                    _dFlooded[d]++;
                }
            }
            return new LinkTotals(length > 0 ? speedL / length : 0, delay, vkt, vht, congested, closed, flooded);
        }

        // ------------------------------------------------------------ trips

        private void Rates()
        {
            Array.Clear(_q);
            var matrix = _baseline.PeakTripsPerHourMatrix;
            var s0 = _scale[0];
            for (var o = 0; o < _districts; o++)
            {
                for (var d = 0; d < _districts; d++)
                {
                    _q[o * _zoneCount + d] = s0 * matrix[o * _districts + d];
                }
            }
            for (var g = 0; g < _plan.DemandGroups.Count; g++)
            {
                var scale = _scale[g + 1];
                if (scale == 0)
                {
                    continue;
                }
                foreach (var (o, d, rate) in _groupEntries[g])
                {
                    _q[o * _zoneCount + d] += scale * rate;
                }
            }
        }

        /// <summary>
        /// The usual trips already on the road at the start: the steady state of the stages under the first step's
        /// usual departures, about departure rate × travel time (Little's law). Added demand starts empty.
        /// </summary>
        private void SteadyState(double dt)
        {
            var matrix = _baseline.PeakTripsPerHourMatrix;
            for (var o = 0; o < _districts; o++)
            {
                for (var d = 0; d < _districts; d++)
                {
                    var p = o * _zoneCount + d;
                    var rate = _scale[0] * matrix[o * _districts + d];
                    var reach = _engine.OdReachable[p];
                    var minutes = _engine.OdMinutes[p];
                    if (rate == 0 || reach == 0 || minutes <= 0)
                    {
                        continue;
                    }
                    var perStage = rate * reach * dt / 60 / -double.ExpM1(-Stages * dt / minutes);
                    for (var m = 0; m < Stages; m++)
                    {
                        _stage[m][p] = perStage;
                    }
                    _initialEnRoute += perStage * Stages;
                }
            }
        }

        /// <summary>Departures and arrivals of the step; returns the departure rate in trips per hour.</summary>
        private double Trips(double dt)
        {
            Rates();
            var freeFlow = _baseline.FreeFlowMinutesMatrix;
            double rate = 0;
            for (var p = 0; p < _q.Length; p++)
            {
                var departing = _q[p] * dt / 60;
                rate += _q[p];
                var reach = _engine.OdReachable[p];
                var minutes = _engine.OdMinutes[p];
                if (departing > 0)
                {
                    var entering = departing * reach;
                    _generated += departing;
                    _unreachable += departing - entering;
                    _odTrips[p] += departing;
                    _odUnreachable[p] += departing - entering;
                    if (entering > 0)
                    {
                        _odEntered[p] += entering;
                        _odTimeSum[p] += entering * minutes;
                        var o = p / _zoneCount;
                        var d = p % _zoneCount;
                        if (o < _districts && d < _districts && double.IsFinite(freeFlow[o * _districts + d]))
                        {
                            _odFreeSum[p] += entering * freeFlow[o * _districts + d];
                        }
                    }
                    departing = entering;
                }

                // Advance the stages: each passes on its share at once, the last one arrives.
                var share = reach == 0 ? 0 : minutes <= 0 ? 1 : -double.ExpM1(-Stages * dt / minutes);
                if (share > 0)
                {
                    var carried = 0.0;
                    for (var m = 0; m < Stages; m++)
                    {
                        var stage = _stage[m];
                        var moving = stage[p] * share;
                        stage[p] += carried - moving;
                        carried = moving;
                    }
                    _completed += carried;
                }
                _stage[0][p] += departing;
            }
            return rate;
        }

        private TripBalance Balance()
        {
            double enRoute = 0, stranded = 0;
            for (var p = 0; p < _q.Length; p++)
            {
                double onRoad = 0;
                for (var m = 0; m < Stages; m++)
                {
                    onRoad += _stage[m][p];
                }
                enRoute += onRoad;
                if (_engine.OdReachable[p] == 0)
                {
                    stranded += onRoad;
                }
            }
            return new TripBalance(_initialEnRoute, _generated, _completed, enRoute, stranded, _unreachable);
        }

        // ------------------------------------------------------------ water

        private double Rain(double dtHours)
        {
            var deepest = 0.0;
            var drain = _o.DrainageMmPerHour;
            for (var d = 0; d < _districts; d++)
            {
                _depth[d] = Math.Max(0, _depth[d] + _o.RunoffConcentration * (_rainDepthInput[d] - drain) / 1000 * dtHours);
                _maxDepth[d] = Math.Max(_maxDepth[d], _depth[d]);
                deepest = Math.Max(deepest, _depth[d]);
            }
            for (var s = 0; s < _net.SegmentCount; s++)
            {
                var water = _depth[_net.SegmentDistrictArray[s]] * _net.FloodFactorArray[s];
                _segMaxDepth[s] = Math.Max(_segMaxDepth[s], water);
            }
            return deepest;
        }

        // ------------------------------------------------------------ results

        private List<DistrictResult> DistrictResults(double time, StepKpis last)
        {
            var results = new List<DistrictResult>(_districts);
            for (var d = 0; d < _districts; d++)
            {
                var spec = _net.DistrictArray[d];
                var final = last.Districts[d];
                results.Add(new DistrictResult(spec.Id, spec.Name, _dSpeedTime[d] / time, _dDelayTotal[d], _dVktTotal[d],
                    _dCongestedTime[d] / time, _dCongestedMax[d], final.MeanSpeedKmh, final.CongestedKm, _maxDepth[d], _depth[d],
                    _dFloodedMax[d]));
            }
            return results;
        }

        private List<SegmentResult> SegmentResults()
        {
            var results = new List<SegmentResult>(_net.SegmentCount);
            var hours = _horizon / 60;
            for (var s = 0; s < _net.SegmentCount; s++)
            {
                var spec = _net.SegmentArray[s];
                var forward = _net.SegmentForwardLink[s];
                var backward = _net.SegmentBackwardLink[s];
                var water = _depth[_net.SegmentDistrictArray[s]] * _net.FloodFactorArray[s];
                var status = _segClosed[s] ? SegmentStatus.Closed
                    : _segFlooded[s] ? SegmentStatus.Flooded
                    : _segIncident[s] ? SegmentStatus.Incident
                    : SegmentStatus.Open;
                var forwardFlow = _now.Available[forward] ? _flow[forward] : 0;
                var backwardFlow = backward >= 0 && _now.Available[backward] ? _flow[backward] : 0;
                double speed = 0, ratio = 0;
                LevelOfService? los = null;
                if (_now.Available[forward])
                {
                    (speed, ratio, los) = Direction(spec, forward);
                    if (backward >= 0)
                    {
                        var other = Direction(spec, backward);
                        if (other.Los > los || (other.Los == los && other.Ratio > ratio))
                        {
                            (speed, ratio, los) = other;
                        }
                    }
                }
                results.Add(new SegmentResult(spec.Id, spec.Name, spec.DistrictId, status, forwardFlow + backwardFlow, forwardFlow, backwardFlow,
                    speed, ratio, los, _segFlowHours[s] / hours, _segDelay[s], water, _segMaxDepth[s]));
            }
            return results;
        }

        private (double Speed, double Ratio, LevelOfService? Los) Direction(SegmentSpec spec, int link)
        {
            var flow = _flow[link];
            var speed = _net.LinkLengthKmArray[link] / _now.TravelHours(link, flow);
            // The same LOS rule as live segments, on this direction's capacity.
            var los = SegmentTrafficModel.LevelOf(speed, flow, spec with { CapacityVph = _now.CapacityVph[link] });
            return (speed, flow / _now.CapacityVph[link], los);
        }

        private List<OdResult> OdResults()
        {
            var results = new List<OdResult>();
            for (var o = 0; o < _districts; o++)
            {
                for (var d = 0; d < _districts; d++)
                {
                    var p = o * _zoneCount + d;
                    if (_odTrips[p] == 0)
                    {
                        continue;
                    }
                    var mean = _odEntered[p] > 0 ? _odTimeSum[p] / _odEntered[p] : double.NaN;
                    var free = _baseline.FreeFlowMinutesMatrix[o * _districts + d];
                    var delay = double.IsFinite(free) ? (_odTimeSum[p] - _odFreeSum[p]) / 60 : 0;
                    results.Add(new OdResult(_net.DistrictArray[o].Id, _net.DistrictArray[d].Id, _odTrips[p], _odUnreachable[p],
                        double.IsNaN(mean) ? 0 : mean, double.IsFinite(free) ? free : 0, delay));
                }
            }
            return results;
        }

        private string[] SegmentIds(bool[] flags)
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
    }
}
