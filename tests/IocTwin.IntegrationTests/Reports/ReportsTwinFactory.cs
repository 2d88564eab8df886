using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Reports;

/// <summary>
/// A twin of its own for citizen reports: flooding falls overdue a millisecond after it is filed (the others keep their
/// SLA of days), drainage is routed to a sector the catalogue lacks, and a client address may file three reports without a token before it must wait an hour.
/// </summary>
public sealed class ReportsTwinFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:Reports:Categories:flooding:Sla"] = "00:00:00.001",
        // Routed to a sector the catalogue does not define: the twin starts, and such a report is refused when filed.
        ["Twin:Reports:Categories:drainage:Sla"] = "1.00:00:00",
        ["Twin:Reports:Categories:drainage:Sector"] = "drainage",
        ["Twin:RateLimits:AnonymousReports:Burst"] = "3",
        ["Twin:RateLimits:AnonymousReports:Permits"] = "1",
        ["Twin:RateLimits:AnonymousReports:Period"] = "01:00:00",
    };
}

[CollectionDefinition(Name)]
public sealed class ReportsCollection : ICollectionFixture<ReportsTwinFactory>
{
    public const string Name = "reports";
}
