using IocTwin.Model;

namespace IocTwin.Simulation.Dynamic;

/// <summary>
/// Dynamic network loading for a run (<see cref="TrafficModel.Dynamic"/>): every step, the trips departing at the
/// step's rates join their origin nodes, and a <see cref="LinkTransmissionModel"/> moves them over the roads in
/// sub-steps, with turn fractions at every junction from the current equilibrium of the static assignment
/// (<see cref="IEquilibriumRoutes"/>). It gives the link flows and travel times the KPIs measure, the queues
/// (<see cref="QueueTracker"/>) and the trip balance.
/// </summary>
internal sealed class DynamicLoading
{
    private readonly RoadNetwork _net;
    private readonly ZoneSet _zones;
    private readonly IEquilibriumRoutes _routes;
    private readonly LinkTransmissionModel _model;
    private readonly QueueTracker _queues;
    private readonly double _minSpeedKmh;
    private readonly double[] _target;
    private readonly double[] _ownConnectorWeight;
    private double[] _routeScale = [];
    private int _stepsRun;
    private double _initialEnRoute, _unreachable;

    public DynamicLoading(RoadNetwork network, ZoneSet zones, IEquilibriumRoutes routes, SimulationOptions options, double stepMinutes, int steps)
    {
        _net = network;
        _zones = zones;
        _routes = routes;
        _minSpeedKmh = options.MinSpeedKmh;
        // Sub-steps divide the step evenly, none longer than the option.
        var perStep = Math.Max(1, (int)Math.Ceiling(stepMinutes * 60 / options.DynamicSubstepSeconds - 1e-9));
        _model = new LinkTransmissionModel(network, stepMinutes / 60 / perStep, options.JamDensityPerLaneKm);
        _queues = new QueueTracker(network, steps);
        _target = new double[network.LinkCount];
        // Trips within a zone never end where they start: each origin node's weight as a destination of its own zone.
        _ownConnectorWeight = new double[zones.OriginNode.Length];
        for (var z = 0; z < zones.Count; z++)
        {
            for (var k = zones.OriginStart[z]; k < zones.OriginStart[z + 1]; k++)
            {
                for (var m = zones.DestStart[z]; m < zones.DestStart[z + 1]; m++)
                {
                    _ownConnectorWeight[k] += zones.DestNode[m] == zones.OriginNode[k] ? zones.DestWeight[m] : 0;
                }
            }
        }
        FlowVph = new double[network.LinkCount];
        TravelHours = new double[network.LinkCount];
    }

    /// <summary>Vehicles per hour entering each link over the last step.</summary>
    public double[] FlowVph { get; }

    /// <summary>Mean travel time on each link over the last step, in hours.</summary>
    public double[] TravelHours { get; }

    /// <summary>
    /// Moves traffic through step <paramref name="step"/> of <paramref name="dt"/> minutes on the roads of
    /// <paramref name="now"/>, with trips departing at <paramref name="odRates"/> (trips per hour per zone pair) and
    /// the routes of the demand components at <paramref name="scale"/>.
    /// </summary>
    public void Advance(int step, double minute, double dt, LinkConditions now, ReadOnlySpan<double> scale, double[] odRates)
    {
        _model.Configure(now);
        // Traffic still on the road after its demand has stopped keeps following the routes it set out on.
        if (_routeScale.Length != scale.Length)
        {
            _routeScale = new double[scale.Length];
        }
        for (var c = 0; c < scale.Length; c++)
        {
            _routeScale[c] = scale[c] > 0 ? scale[c] : _routeScale[c];
        }
        _routes.TotalFlow(_routeScale, _target);
        var substeps = Math.Max(1, (int)Math.Round(dt / 60 / _model.SubstepHours));
        Departures(odRates, substeps * _model.SubstepHours);
        _model.SetSplits(_target);
        if (step == 0)
        {
            // The usual traffic is already on the road, as steady free flow; added demand starts empty.
            var usual = new double[scale.Length];
            usual[0] = scale[0];
            _routes.TotalFlow(usual, FlowVph);
            _initialEnRoute = _model.WarmStart(FlowVph);
        }
        _model.ClearTotals();
        _model.Advance(substeps);

        var hours = substeps * _model.SubstepHours;
        for (var a = 0; a < _net.LinkCount; a++)
        {
            var length = _net.LinkLengthKmArray[a];
            var free = length / (now.FreeFlowKmh[a] * now.SpeedFactor[a]);
            var slowest = length / _minSpeedKmh;
            var left = _model.Left[a];
            var queued = _model.QueuedHours[a];
            FlowVph[a] = _model.Entered[a] / hours;
            // Free-flow time plus the mean wait in the queue at the downstream end (Little's law on the queue).
            TravelHours[a] = left > 0 ? Math.Clamp(free + queued / left, Math.Min(free, slowest), slowest)
                : queued > 1e-9 ? slowest : Math.Min(free, slowest);
        }
        _queues.Record(step, minute + dt, dt, _model, substeps);
        _stepsRun = step + 1;
    }

    /// <summary>
    /// Where every vehicle is: arrived, on the roads, waiting at its origin, unreachable; stranded are those on a
    /// closed road, or held at a junction or origin with no open way on.
    /// </summary>
    public TripBalance Balance()
    {
        double onRoad = 0, stranded = 0, waiting = 0;
        for (var a = 0; a < _net.LinkCount; a++)
        {
            var vehicles = _model.OnLink(a);
            onRoad += vehicles;
            if (!_model.IsOpen(a) || _model.IsDeadEnd(_net.LinkToArray[a]))
            {
                stranded += vehicles;
            }
        }
        for (var n = 0; n < _net.NodeCount; n++)
        {
            waiting += _model.Waiting[n];
            if (_model.IsDeadEnd(n))
            {
                stranded += _model.Waiting[n];
            }
        }
        return new TripBalance(_initialEnRoute, _model.Departed + _unreachable, _model.Arrived, onRoad + waiting, stranded, _unreachable, waiting);
    }

    public QueueReport Queues() => _queues.Report(_stepsRun);

    /// <summary>Departure rates per origin node from the zone-pair rates, and the trips of the step that have no route.</summary>
    private void Departures(double[] odRates, double hours)
    {
        var departing = _model.DepartingPerHour;
        Array.Clear(departing);
        var zones = _zones.Count;
        var reach = _routes.OdReachable;
        for (var o = 0; o < zones; o++)
        {
            double away = 0, within = 0;
            for (var d = 0; d < zones; d++)
            {
                var p = o * zones + d;
                _unreachable += odRates[p] * (1 - reach[p]) * hours;
                if (d == o)
                {
                    within = odRates[p] * reach[p] * _zones.IntraNorm[o];
                }
                else
                {
                    away += odRates[p] * reach[p];
                }
            }
            if (away == 0 && within == 0)
            {
                continue;
            }
            // As the assignment loads them: trips within the zone start anywhere but at the connector they end at.
            for (var k = _zones.OriginStart[o]; k < _zones.OriginStart[o + 1]; k++)
            {
                departing[_zones.OriginNode[k]] += _zones.OriginWeight[k] * (away + within * (1 - _ownConnectorWeight[k]));
            }
        }
    }
}
