using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class ReportLifecycleTests
{
    [Theory]
    [InlineData(ReportState.Received, ReportAction.Assign, ReportState.Assigned)]
    [InlineData(ReportState.Assigned, ReportAction.Assign, ReportState.Assigned)]
    [InlineData(ReportState.Assigned, ReportAction.Start, ReportState.InProgress)]
    [InlineData(ReportState.Assigned, ReportAction.Resolve, ReportState.Resolved)]
    [InlineData(ReportState.InProgress, ReportAction.Resolve, ReportState.Resolved)]
    [InlineData(ReportState.Received, ReportAction.Reject, ReportState.Rejected)]
    [InlineData(ReportState.InProgress, ReportAction.Reject, ReportState.Rejected)]
    public void A_report_moves_on_in_order(ReportState from, ReportAction action, ReportState to) =>
        Assert.Equal(to, ReportLifecycle.Next(from, action));

    [Theory]
    [InlineData(ReportState.Received, ReportAction.Resolve)]
    [InlineData(ReportState.Received, ReportAction.Start)]
    [InlineData(ReportState.InProgress, ReportAction.Assign)]
    [InlineData(ReportState.InProgress, ReportAction.Start)]
    [InlineData(ReportState.Resolved, ReportAction.Reject)]
    [InlineData(ReportState.Resolved, ReportAction.Assign)]
    [InlineData(ReportState.Rejected, ReportAction.Resolve)]
    [InlineData(ReportState.Rejected, ReportAction.Assign)]
    public void No_resolve_before_assign_and_nothing_after_a_report_is_closed(ReportState from, ReportAction action) =>
        Assert.Null(ReportLifecycle.Next(from, action));
}
