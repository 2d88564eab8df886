using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>A district's KPIs as stored before citizen reports were counted, with the same field ids.</summary>
[GenerateSerializer]
public sealed record KpisBeforeReports(
    [property: Id(0)] Kpi MeanSpeedKmh,
    [property: Id(1)] Kpi CongestedKm,
    [property: Id(2)] Kpi WorstAqi,
    [property: Id(3)] Kpi MaxWaterLevelM,
    [property: Id(4)] Kpi SensorsOnline,
    [property: Id(5)] Kpi SensorsStale,
    [property: Id(6)] Kpi SensorsOffline,
    [property: Id(7)] Kpi OpenAlerts,
    [property: Id(8)] Kpi MonitoredKm);

/// <summary>A citizen report, the report index and the areas counting reports load back with what OCs and KPIs rely on.</summary>
public sealed class ReportStoredStateTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly DateTimeOffset At = new(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public void A_report_loads_with_its_place_route_private_contact_and_every_step()
    {
        var filed = new NewReport(new GeoPoint(108.22, 16.06), "flooding", Sector.Flood, "Ngập sâu 40 cm", "https://example.org/a.jpg",
            "0905 123 456", "ward-1", At, At.AddHours(2), "citizen");
        var stored = Serializer.SerializeToArray(new CitizenReportState
        {
            Filed = filed,
            Steps = [new ReportStep(ReportState.Received, "citizen", At, null), new ReportStep(ReportState.Assigned, "oc-hai-chau", At.AddMinutes(5), "Đội 2")],
            Version = 2,
        });

        var loaded = Serializer.Deserialize<CitizenReportState>(stored)!;

        Assert.Equal(filed, loaded.Filed);
        Assert.Equal([ReportState.Received, ReportState.Assigned], loaded.Steps.Select(s => s.State));
        Assert.Equal(("oc-hai-chau", At.AddMinutes(5), "Đội 2"), (loaded.Steps[1].By, loaded.Steps[1].At, loaded.Steps[1].Note));
        Assert.Equal(2, loaded.Version);
    }

    [Fact]
    public void The_report_index_loads_with_each_reports_area_sector_state_and_deadline()
    {
        var entry = new ReportEntry("r1", "ward-1", Sector.Lighting, "streetlight", ReportState.InProgress, At, At.AddDays(3));
        var stored = Serializer.SerializeToArray(new ReportIndexState { Reports = { ["r1"] = entry } });

        Assert.Equal(entry, Serializer.Deserialize<ReportIndexState>(stored)!.Reports["r1"]);
    }

    [Fact]
    public void An_area_loads_its_open_reports_and_KPIs_stored_before_reports_were_counted_say_nothing_of_them()
    {
        var stored = Serializer.SerializeToArray(new DistrictState
        {
            Reports = { ["r1"] = new OpenReport("r1", Sector.Traffic, At.AddDays(5)) },
            AssetsEntered = 4,
            AssetsLeft = 3,
        });
        var area = Serializer.Deserialize<DistrictState>(stored)!;
        Assert.Equal(new OpenReport("r1", Sector.Traffic, At.AddDays(5)), area.Reports["r1"]);
        Assert.Equal((4L, 3L), (area.AssetsEntered, area.AssetsLeft));

        var known = new Kpi(3, At);
        var old = Serializer.SerializeToArray(new KpisBeforeReports(known, known, known, known, known, known, known, known, known));
        var loaded = Serializer.Deserialize<DistrictKpis>(old)!;
        Assert.Equal(known, loaded.OpenAlerts);
        Assert.Null(loaded.OpenReports);
        Assert.Null(loaded.OverdueReports);
        Assert.Null(loaded.AssetsEntered);
    }
}
