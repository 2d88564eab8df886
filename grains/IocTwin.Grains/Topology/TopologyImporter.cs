using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// Registers a city's areas (level by level, parents first), then its segments and sensors, so each finds its parent.
/// Segments and sensors new to the twin are stored in batches (<see cref="ITopologyBatchGrain"/>: one transaction
/// each, then one write per district); those the twin already holds are registered again through their grains, as a
/// single PUT would.
/// </summary>
public static class TopologyImporter
{
    private const int Parallelism = 64;

    /// <summary>Segments and sensors per batch: one transaction each, large enough that its commit costs little per row.</summary>
    public const int DefaultBatchSize = 5_000;

    /// <summary>Batches in flight: one is written while the districts of the one before take their members in.</summary>
    private const int BatchesInFlight = 2;

    /// <summary>
    /// Imports the city; everything stored before it returns. When the store refuses a batch, that batch is rolled back;
    /// when its districts do not take its stored members in, it stays stored but unattached (sending the document again
    /// attaches it). The others are stored all the same, and a <see cref="TopologyImportException"/> names the batches that failed.
    /// </summary>
    public static async Task ImportAsync(IGrainFactory grains, CitySpec city, CancellationToken cancellationToken = default,
        KnownTopology? known = null, int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        known ??= await LiveTopology.KnownAsync(grains);
        foreach (var level in Levels(city.Districts))
        {
            await ForEachAsync(level, d => grains.GetGrain<IDistrictGrain>(d.Id).Register(d), cancellationToken);
        }

        var (newSegments, newSensors) = NewRows(city, known);
        var newSegmentIds = newSegments.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var newSensorIds = newSensors.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        bool IsNew(SensorSpec s) => newSensorIds.Contains(s.Id);
        await ForEachAsync(city.Segments.Where(s => !newSegmentIds.Contains(s.Id)), s => grains.GetGrain<IRoadSegmentGrain>(s.Id).Register(s), cancellationToken);

        var batches = Batches(newSegments, newSensors, batchSize);
        var failed = new List<FailedBatch>();
        await Parallel.ForEachAsync(
            batches.Select((batch, i) => (Batch: batch, Number: i + 1)),
            new ParallelOptions { MaxDegreeOfParallelism = BatchesInFlight, CancellationToken = cancellationToken },
            async (item, _) =>
            {
                FailedBatch? failure;
                try
                {
                    failure = await grains.GetGrain<ITopologyBatchGrain>(0).StoreNew(item.Batch) is { } notAttached
                        ? FailedBatch.Of(item.Number, item.Batch, notAttached, stored: true)
                        : null;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failure = FailedBatch.Of(item.Number, item.Batch, ex.GetBaseException().Message, stored: false);
                }
                if (failure is not null)
                {
                    lock (failed)
                    {
                        failed.Add(failure);
                    }
                }
            });

        // Sensors the twin holds already, and new sensors on segments it held already, find their segment live.
        var lostSegments = failed.Where(f => !f.Stored).SelectMany(f => f.SegmentIds).ToHashSet(StringComparer.Ordinal);
        await ForEachAsync(city.Sensors.Where(s => !IsNew(s) && (s.SegmentId is null || !lostSegments.Contains(s.SegmentId))),
            s => grains.GetGrain<ISensorGrain>(s.Id).Register(s), cancellationToken);
        if (failed.Count > 0)
        {
            throw new TopologyImportException(batches.Count, [.. failed.OrderBy(f => f.Number)]);
        }
    }

    /// <summary>
    /// The segments and sensors the import stores as rows in batches: those new to the twin (a new sensor also needs its
    /// segment new, or none). The others are registered again through their grains.
    /// </summary>
    public static (List<SegmentSpec> Segments, List<SensorSpec> Sensors) NewRows(CitySpec city, KnownTopology known)
    {
        List<SegmentSpec> segments = [.. city.Segments.Where(s => !known.Segments.Contains(s.Id))];
        var segmentIds = segments.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return (segments, [.. city.Sensors.Where(s => !known.Sensors.Contains(s.Id) && (s.SegmentId is null || segmentIds.Contains(s.SegmentId)))]);
    }

    /// <summary>
    /// New segments with the new sensors on them (a segment and its sensors never split), district by district, then
    /// the sensors that sit directly in a district.
    /// </summary>
    private static List<NewTopologyBatch> Batches(IEnumerable<SegmentSpec> segments, IEnumerable<SensorSpec> sensors, int batchSize)
    {
        var sensorList = sensors.ToList();
        var onSegment = sensorList.Where(s => s.SegmentId is not null).ToLookup(s => s.SegmentId!, StringComparer.Ordinal);
        var batches = new List<NewTopologyBatch>();
        List<SegmentSpec> batchSegments = [];
        List<SensorSpec> batchSensors = [];
        void Cut()
        {
            if (batchSegments.Count + batchSensors.Count > 0)
            {
                batches.Add(new NewTopologyBatch(batchSegments, batchSensors));
                batchSegments = [];
                batchSensors = [];
            }
        }
        foreach (var segment in segments.GroupBy(s => s.DistrictId, StringComparer.Ordinal).SelectMany(g => g))
        {
            var on = onSegment[segment.Id].ToList();
            if (batchSegments.Count + batchSensors.Count + 1 + on.Count > batchSize)
            {
                Cut();
            }
            batchSegments.Add(segment);
            batchSensors.AddRange(on);
        }
        foreach (var sensor in sensorList.Where(s => s.SegmentId is null).GroupBy(s => s.DistrictId, StringComparer.Ordinal).SelectMany(g => g))
        {
            if (batchSegments.Count + batchSensors.Count >= batchSize)
            {
                Cut();
            }
            batchSensors.Add(sensor);
        }
        Cut();
        return batches;
    }

    /// <summary>
    /// The areas by depth: those whose parent is not among them (under the city, or under an area the twin holds)
    /// first, then their children, and so on.
    /// </summary>
    private static IEnumerable<List<DistrictSpec>> Levels(IReadOnlyList<DistrictSpec> areas)
    {
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var ids = areas.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var pending = areas.ToList();
        while (pending.Count > 0)
        {
            var level = pending.Where(a => a.ParentId is null || !ids.Contains(a.ParentId) || placed.Contains(a.ParentId)).ToList();
            if (level.Count == 0)
            {
                throw new ArgumentException("The areas' parents form a cycle.", nameof(areas));
            }
            yield return level;
            placed.UnionWith(level.Select(a => a.Id));
            pending.RemoveAll(a => placed.Contains(a.Id));
        }
    }

    private static Task ForEachAsync<T, TResult>(IEnumerable<T> items, Func<T, Task<TResult>> register, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            items,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (item, _) => await register(item));
}
