using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

/// <summary>Open and overdue citizen reports in an area's KPIs, whole and per sector, and rolled up.</summary>
public sealed class ReportKpiTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_area_counts_its_open_reports_and_those_past_their_deadline_whole_and_per_sector()
    {
        var own = KpiCalculator.ForDistrictAndSectors([], [], [], Now);
        var (area, sectors) = KpiCalculator.WithReports(own,
        [
            new OpenReport("a", Sector.Flood, Now.AddMinutes(-1)),
            new OpenReport("b", Sector.Flood, Now.AddHours(1)),
            new OpenReport("c", Sector.Lighting, Now.AddDays(-1)),
        ], Now);

        Assert.Equal((3.0, 2.0), (area.OpenReports?.Value, area.OverdueReports?.Value));
        Assert.Equal((2.0, 1.0), (sectors[Sector.Flood].OpenReports?.Value, sectors[Sector.Flood].OverdueReports?.Value));
        Assert.Equal((1.0, 1.0), (sectors[Sector.Lighting].OpenReports?.Value, sectors[Sector.Lighting].OverdueReports?.Value));
        // A report due this very instant is not overdue yet.
        var (onTime, _) = KpiCalculator.WithReports(own, [new OpenReport("d", Sector.Water, Now)], Now);
        Assert.Equal(0.0, onTime.OverdueReports?.Value);
    }

    [Fact]
    public void Report_counts_roll_up_as_sums_and_areas_stored_before_reports_add_nothing()
    {
        var own = KpiCalculator.ForDistrictAndSectors([], [], [], Now);
        var west = KpiCalculator.WithReports(own, [new OpenReport("a", Sector.Flood, Now.AddMinutes(-1))], Now).Area;
        var east = KpiCalculator.WithReports(own, [new OpenReport("b", Sector.Flood, Now.AddHours(1)), new OpenReport("c", Sector.Traffic, Now.AddHours(1))], Now).Area;

        var district = KpiCalculator.ForCity([west, east, DistrictKpis.Empty]);

        Assert.Equal((3.0, 1.0), (district.OpenReports?.Value, district.OverdueReports?.Value));
        Assert.Null(KpiCalculator.ForCity([DistrictKpis.Empty]).OpenReports?.Value);
    }
}
