using IocTwin.Model;

namespace IocTwin.Simulation;

/// <summary>
/// Trips of a run between each pair of zones: departures at the current rates, and travel for the current zone-to-zone
/// time through four stages in a row (an Erlang-4 spread around that time, so no trip arrives at once). Trips that find
/// no route at departure are unreachable; trips on a pair that loses its route wait on the road (stranded).
/// </summary>
internal sealed class TripStages
{
    private const int Stages = 4;

    private readonly RoadNetwork _net;
    private readonly BaselineDemand _baseline;
    private readonly RouteSnapshot _routes;
    private readonly (int Origin, int Destination, double Rate)[][] _groupEntries;
    private readonly int _districts;
    private readonly int _zoneCount;
    private readonly double[] _q;
    private readonly double[][] _stage;
    private readonly double[] _odTrips, _odEntered, _odUnreachable, _odTimeSum, _odFreeSum;
    private double _initialEnRoute, _generated, _completed, _unreachable;

    /// <param name="groupEntries">Zone-to-zone rates of each group of added demand (see <see cref="AddedDemandRates"/>).</param>
    public TripStages(RoadNetwork network, BaselineDemand baseline, RouteSnapshot routes, int zoneCount,
        (int Origin, int Destination, double Rate)[][] groupEntries)
    {
        _net = network;
        _baseline = baseline;
        _routes = routes;
        _groupEntries = groupEntries;
        _districts = network.DistrictCount;
        _zoneCount = zoneCount;
        var pairs = zoneCount * zoneCount;
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
    }

    /// <summary>
    /// The usual trips already on the road at the start: the steady state of the stages under the first step's
    /// usual departures, about departure rate × travel time (Little's law). Added demand starts empty.
    /// </summary>
    public void SteadyState(double dt, double baselineScale)
    {
        var matrix = _baseline.PeakTripsPerHourMatrix;
        for (var o = 0; o < _districts; o++)
        {
            for (var d = 0; d < _districts; d++)
            {
                var p = o * _zoneCount + d;
                var rate = baselineScale * matrix[o * _districts + d];
                var reach = _routes.OdReachable[p];
                var minutes = _routes.OdMinutes[p];
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

    /// <summary>
    /// Departures and arrivals of the step at the demand components' <paramref name="scale"/> (the usual demand first,
    /// then each group of added demand); returns the departure rate in trips per hour.
    /// </summary>
    public double Advance(double dt, double[] scale)
    {
        Rates(scale);
        var freeFlow = _baseline.FreeFlowMinutesMatrix;
        double rate = 0;
        for (var p = 0; p < _q.Length; p++)
        {
            var departing = _q[p] * dt / 60;
            rate += _q[p];
            var reach = _routes.OdReachable[p];
            var minutes = _routes.OdMinutes[p];
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

    /// <summary>Zone-to-zone departure rates of the last step, trips per hour (origin × zones + destination).</summary>
    public double[] DepartureRates => _q;

    public TripBalance Balance()
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
            if (_routes.OdReachable[p] == 0)
            {
                stranded += onRoad;
            }
        }
        return new TripBalance(_initialEnRoute, _generated, _completed, enRoute, stranded, _unreachable);
    }

    /// <summary>Trips, unreachable trips, mean and free-flow times and delay of each district pair that had trips.</summary>
    public List<OdResult> OdResults()
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

    /// <summary>Zone-to-zone departure rates of the step, trips per hour.</summary>
    private void Rates(double[] scale)
    {
        Array.Clear(_q);
        var matrix = _baseline.PeakTripsPerHourMatrix;
        var s0 = scale[0];
        for (var o = 0; o < _districts; o++)
        {
            for (var d = 0; d < _districts; d++)
            {
                _q[o * _zoneCount + d] = s0 * matrix[o * _districts + d];
            }
        }
        for (var g = 0; g < _groupEntries.Length; g++)
        {
            var groupScale = scale[g + 1];
            if (groupScale == 0)
            {
                continue;
            }
            foreach (var (o, d, rate) in _groupEntries[g])
            {
                _q[o * _zoneCount + d] += groupScale * rate;
            }
        }
    }
}
