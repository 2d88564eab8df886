using IocTwin.Model;

namespace IocTwin.Simulation.Dynamic;

/// <summary>
/// Queues of a run with dynamic loading, looked at the end of every step: each link's queue (the vehicles that would
/// have left it at free-flow speed and have not) and its extent back from the downstream end, the worst queues, and
/// the delay of links held back by a full link downstream.
/// </summary>
internal sealed class QueueTracker
{
    /// <summary>A link holds a queue from one vehicle up.</summary>
    public const double MinVehicles = 1;

    private const int WorstCount = 20;
    private const int SeriesCount = 100;

    private readonly RoadNetwork _net;
    private readonly int _steps;
    private readonly double[] _maxVehicles, _maxExtent, _atMinute, _minutes;
    private readonly Dictionary<int, double[]> _series = [];
    private readonly double[] _queuedVehicles, _longest;
    private double _spillbackDelay, _delayedVehicles;

    public QueueTracker(RoadNetwork network, int steps)
    {
        _net = network;
        _steps = steps;
        var links = network.LinkCount;
        _maxVehicles = new double[links];
        _maxExtent = new double[links];
        _atMinute = new double[links];
        _minutes = new double[links];
        _queuedVehicles = new double[steps];
        _longest = new double[steps];
    }

    /// <summary>The queues at the end of step <paramref name="step"/> (ending at <paramref name="endMinute"/>, <paramref name="dt"/> minutes long).</summary>
    public void Record(int step, double endMinute, double dt, LinkTransmissionModel model, int substeps)
    {
        double total = 0, longest = 0;
        var dtHours = dt / 60;
        for (var a = 0; a < _net.LinkCount; a++)
        {
            var queued = model.Queued(a);
            if (model.BlockedSubsteps[a] > 0)
            {
                // The link's delay over the step, in the share of the step it was held back by spillback.
                var freeHours = _net.LinkLengthKmArray[a] / _net.LinkFreeFlowKmhArray[a];
                var delay = Math.Max(0, model.OccupancyHours[a] - model.Left[a] * freeHours);
                _spillbackDelay += delay * Math.Min(1, model.BlockedSubsteps[a] / substeps);
                _delayedVehicles += model.BlockedOutflow[a];
            }
            if (queued < MinVehicles)
            {
                if (_series.TryGetValue(a, out var quiet))
                {
                    quiet[step] = 0;
                }
                continue;
            }
            // A queue discharging at q stands at the density of the diagram's congested branch for q.
            var lengthKm = _net.LinkLengthKmArray[a];
            var jam = model.Storage[a] / lengthKm;
            var outRate = model.Left[a] / dtHours;
            var density = Math.Max(jam - outRate / model.WaveKmh[a], 0.1 * jam);
            var extentM = Math.Min(lengthKm, queued / density) * 1000;
            total += queued;
            longest = Math.Max(longest, extentM);
            _minutes[a] += dt;
            _maxVehicles[a] = Math.Max(_maxVehicles[a], queued);
            if (extentM > _maxExtent[a])
            {
                _maxExtent[a] = extentM;
                _atMinute[a] = endMinute;
            }
            if (!_series.TryGetValue(a, out var series))
            {
                _series[a] = series = new double[_steps];
            }
            series[step] = extentM;
        }
        _queuedVehicles[step] = total;
        _longest[step] = longest;
    }

    public QueueReport Report(int stepsRun)
    {
        var ranked = _series.Keys.OrderByDescending(a => _maxExtent[a]).ThenByDescending(a => _maxVehicles[a]).ThenBy(a => a).ToList();
        var worst = ranked.Take(WorstCount).Select(a =>
        {
            var segment = _net.SegmentArray[_net.LinkSegmentArray[a]];
            return new WorstQueue(segment.Id, _net.LinkForwardArray[a], segment.DistrictId, _maxExtent[a], _maxVehicles[a], _atMinute[a], _minutes[a]);
        }).ToList();
        var extents = ranked.Take(SeriesCount).Select(a =>
        {
            var segment = _net.SegmentArray[_net.LinkSegmentArray[a]];
            return new QueueExtentSeries(segment.Id, _net.LinkForwardArray[a], segment.DistrictId, _series[a][..stepsRun]);
        }).ToList();
        return new QueueReport(worst, extents, _queuedVehicles[..stepsRun], _longest[..stepsRun], _spillbackDelay, _delayedVehicles);
    }
}
