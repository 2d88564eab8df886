using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// An area's share of the city's services, kept in its stored state: the citizen reports open in it, counted in its
/// KPIs whole and per sector, and the moving assets that entered and left it, counted by the area itself.
/// </summary>
internal readonly struct AreaServices(DistrictState state)
{
    public bool HasReports => state.Reports.Count > 0;

    public void CountAssetMove(bool entered)
    {
        if (entered) state.AssetsEntered++;
        else state.AssetsLeft++;
    }

    /// <summary>The area's own KPIs (and each sector's) with its open and overdue reports.</summary>
    public (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) WithReports(
        (DistrictKpis Area, Dictionary<Sector, DistrictKpis> Sectors) own, DateTimeOffset now) =>
        KpiCalculator.WithReports(own, state.Reports.Values, now);

    /// <summary>The area's KPIs with its own count of asset moves: its children's would count a move between two of them as an entry.</summary>
    public DistrictKpis WithAssetMoves(DistrictKpis area) =>
        area with { AssetsEntered = new Kpi(state.AssetsEntered, null), AssetsLeft = new Kpi(state.AssetsLeft, null) };

    /// <summary>Reports fall overdue with time alone: a change the area reports without any member reporting.</summary>
    public static bool SameOverdue(DistrictKpis a, DistrictKpis b) => a.OverdueReports?.Value == b.OverdueReports?.Value;
}
