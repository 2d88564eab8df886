namespace IocTwin.Simulation;

/// <summary>
/// Turns a scenario's groups of added demand into zone-to-zone rates: a district or a node set is one zone; "the whole
/// city" is spread over the districts by their share of the usual trips.
/// </summary>
internal static class AddedDemandRates
{
    /// <summary>Zone-to-zone rates of each group, trips per hour while its window is open; node-set zones follow the districts.</summary>
    public static (int Origin, int Destination, double Rate)[][] Expand(BaselineDemand baseline, int districts,
        IReadOnlyList<DemandGroup> groups)
    {
        var shares = DistrictShares(baseline, districts);
        return groups.Select(g => Expand(g, shares, districts)).ToArray();
    }

    /// <summary>Share of each district in the usual trips: where trips to or from "the whole city" go.</summary>
    private static double[] DistrictShares(BaselineDemand baseline, int districts)
    {
        var shares = new double[districts];
        var matrix = baseline.PeakTripsPerHourMatrix;
        for (var o = 0; o < districts; o++)
        {
            for (var d = 0; d < districts; d++)
            {
                shares[o] += matrix[o * districts + d];
            }
        }
        var total = shares.Sum();
        for (var d = 0; d < districts; d++)
        {
            shares[d] = total > 0 ? shares[d] / total : (baseline.Zones.HasConnectors(d) ? 1 : 0);
        }
        var sum = shares.Sum();
        for (var d = 0; d < districts && sum > 0; d++)
        {
            shares[d] /= sum;
        }
        return shares;
    }

    private static (int Origin, int Destination, double Rate)[] Expand(DemandGroup group, double[] shares, int districts)
    {
        var entries = new List<(int, int, double)>();
        foreach (var demand in group.Demands)
        {
            foreach (var (o, a) in Spread(demand.Origin, shares, districts))
            {
                foreach (var (d, b) in Spread(demand.Destination, shares, districts))
                {
                    entries.Add((o, d, demand.TripsPerHour * a * b));
                }
            }
        }
        return entries.ToArray();
    }

    private static IEnumerable<(int Zone, double Share)> Spread(EndRef end, double[] shares, int districts)
    {
        switch (end.Kind)
        {
            case EndKind.District:
                yield return (end.Index, 1);
                break;
            case EndKind.NodeSet:
                yield return (districts + end.Index, 1);
                break;
            default:
                for (var d = 0; d < districts; d++)
                {
                    if (shares[d] > 0)
                    {
                        yield return (d, shares[d]);
                    }
                }
                break;
        }
    }
}
