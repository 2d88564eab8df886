using IocTwin.Simulation.Equilibrium;

namespace IocTwin.Simulation;

/// <summary>
/// The zone-to-zone times and reachability of an assignment: each chunk of the shortest-path sweep sums what its roots
/// reach, and the sums are combined in chunk order so the result is the same whatever the number of cores.
/// </summary>
internal sealed partial class AssignmentEngine : IShortestPathObserver
{
    void IShortestPathObserver.Begin(int chunks)
    {
        if (chunks != _chunks.Length)
        {
            throw new InvalidOperationException($"The gap sweep runs {chunks} chunks of connectors, the routes {_chunks.Length}");
        }
        foreach (var chunk in _chunks)
        {
            chunk.ClearOd();
        }
    }

    void IShortestPathObserver.Visit(int chunk, int origin, double[] distance) => GatherOd(_chunks[chunk], origin, distance);

    /// <summary>The zone-to-zone times and reachability from the chunks' sums, added in chunk order.</summary>
    private void CombineOd()
    {
        Array.Clear(OdMinutes);
        Array.Clear(OdReachable);
        Array.Clear(_odAll);
        foreach (var chunk in _chunks)
        {
            for (var p = 0; p < OdMinutes.Length; p++)
            {
                OdMinutes[p] += chunk.OdTime[p];
                OdReachable[p] += chunk.OdReach[p];
                _odAll[p] += chunk.OdAll[p];
            }
        }
        for (var p = 0; p < OdMinutes.Length; p++)
        {
            // Shares of the same sums: a pair with every route open is reachable exactly.
            var reach = OdReachable[p];
            var all = _odAll[p];
            OdMinutes[p] = reach > 0 ? OdMinutes[p] / reach : double.PositiveInfinity;
            OdReachable[p] = reach == all ? (all > 0 ? 1 : 0) : reach / all;
        }
    }

    private void GatherOd(Chunk chunk, int root, double[] dist)
    {
        var rootNode = _roots[root];
        var zones = _zones.Count;
        for (var m = _memberStart[root]; m < _memberStart[root + 1]; m++)
        {
            var zone = _memberZone[m];
            var rootWeight = _memberWeight[m];
            for (var origin = 0; origin < zones; origin++)
            {
                var within = origin == zone;
                var norm = within ? _zones.IntraNorm[zone] : 1;
                if (norm == 0)
                {
                    continue;
                }
                double time = 0, reach = 0, all = 0;
                for (var k = _zones.OriginStart[origin]; k < _zones.OriginStart[origin + 1]; k++)
                {
                    var node = _zones.OriginNode[k];
                    if (within && node == rootNode)
                    {
                        continue;
                    }
                    var w = _zones.OriginWeight[k];
                    all += w;
                    var d = dist[_reversedIndex[node]];
                    if (d != double.PositiveInfinity)
                    {
                        time += w * d;
                        reach += w;
                    }
                }
                var pair = origin * zones + zone;
                chunk.OdTime[pair] += rootWeight * norm * time;
                chunk.OdReach[pair] += rootWeight * norm * reach;
                chunk.OdAll[pair] += rootWeight * norm * all;
            }
        }
    }
}
