using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>Where a citizen report stands: received → assigned → in progress → resolved, or rejected at any open step.</summary>
public enum ReportState
{
    Received,
    Assigned,
    InProgress,
    Resolved,
    Rejected,
}

/// <summary>What an OC (or the IOC) does to a report; <see cref="ReportLifecycle"/> says from which states.</summary>
public enum ReportAction
{
    Assign,
    Start,
    Resolve,
    Reject,
}

/// <summary>
/// A citizen report as filed: the place and its deepest area, the category with the sector it is routed to and the
/// deadline its SLA sets, the text, an optional photo address (never fetched) and the reporter's contact (private).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NewReport(
    [property: Id(0)] GeoPoint Location,
    [property: Id(1)] string Category,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] string Text,
    [property: Id(4)] string? PhotoUrl,
    [property: Id(5)] string? Contact,
    [property: Id(6)] string AreaId,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset DueAt,
    [property: Id(9)] string FiledBy);

/// <summary>One step of a report's life: who (token subject, or "citizen") took it to which state, when, and why.</summary>
[GenerateSerializer, Immutable]
public sealed record ReportStep(
    [property: Id(0)] ReportState State,
    [property: Id(1)] string By,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note);

/// <summary>
/// A report as OCs see it on REST and the hub. <see cref="Contact"/> is filled only for the IOC on REST; it is never in
/// a hub frame.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReportView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Category,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] string Text,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PhotoUrl,
    [property: Id(6)] string AreaId,
    [property: Id(7)] ReportState State,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset DueAt,
    [property: Id(10)] IReadOnlyList<ReportStep> Steps,
    [property: Id(11)] long Version,
    [property: Id(12), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Contact = null)
{
    public bool IsOpen => State is not (ReportState.Resolved or ReportState.Rejected);

    /// <summary>Past its category's SLA while still open.</summary>
    public bool IsOverdue(DateTimeOffset now) => IsOpen && now > DueAt;
}

/// <summary>What the report index keeps of each report: enough to list, filter and scope reports without waking them.</summary>
[GenerateSerializer, Immutable]
public sealed record ReportEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string AreaId,
    [property: Id(2)] Sector Sector,
    [property: Id(3)] string Category,
    [property: Id(4)] ReportState State,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset DueAt);

/// <summary>An open report as its area counts it in its KPIs: open, and overdue once past its deadline.</summary>
[GenerateSerializer, Immutable]
public sealed record OpenReport(
    [property: Id(0)] string ReportId,
    [property: Id(1)] Sector Sector,
    [property: Id(2)] DateTimeOffset DueAt);

/// <summary>What the report grain answers to an action: the report after it, or as it was when the action is not allowed.</summary>
[GenerateSerializer, Immutable]
public sealed record ReportActionResult(
    [property: Id(0)] ReportView Report,
    [property: Id(1)] bool Applied);

/// <summary>The transitions a report may take.</summary>
public static class ReportLifecycle
{
    /// <summary>The state an action takes a report to from <paramref name="from"/>; null when not allowed from there.</summary>
    public static ReportState? Next(ReportState from, ReportAction action) => (from, action) switch
    {
        (ReportState.Received or ReportState.Assigned, ReportAction.Assign) => ReportState.Assigned,
        (ReportState.Assigned, ReportAction.Start) => ReportState.InProgress,
        // No resolve before someone was assigned to it.
        (ReportState.Assigned or ReportState.InProgress, ReportAction.Resolve) => ReportState.Resolved,
        (ReportState.Received or ReportState.Assigned or ReportState.InProgress, ReportAction.Reject) => ReportState.Rejected,
        _ => null,
    };
}
