using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>A citizen report and its lifecycle. Key: the report id, made by the API when the report is filed.</summary>
public interface IReportGrain : IGrainWithStringKey
{
    /// <summary>
    /// Files the report: stored, listed in the report index and counted by its area before it returns. A report filed
    /// already answers as it is.
    /// </summary>
    [Alias("File")]
    Task<ReportView> File(NewReport report);

    /// <summary>The report with its reporter's contact; null when none was filed under this id.</summary>
    [Alias("Get")]
    Task<ReportView?> Get();

    /// <summary>
    /// Takes the report a step on (<see cref="ReportLifecycle"/>), stored before it returns; not applied when the action
    /// is not allowed from the report's state. Null when no report was filed under this id.
    /// </summary>
    [Alias("Act")]
    Task<ReportActionResult?> Act(ReportAction action, string by, string? note);
}
