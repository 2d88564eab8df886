using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// One shard of the report index: each report's area, sector, category, state and deadline, to list and scope reports
/// and tell known ids from unknown ones without waking a report grain. Key: the shard number (<see cref="ReportIndex"/>).
/// </summary>
public interface IReportIndexGrain : IGrainWithIntegerKey
{
    [Alias("Put")]
    Task Put(ReportEntry entry);

    [Alias("Find")]
    Task<ReportEntry?> Find(string reportId);

    [Alias("List")]
    Task<IReadOnlyList<ReportEntry>> List();
}
