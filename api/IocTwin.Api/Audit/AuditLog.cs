using System.Security.Claims;
using IocTwin.Api.Access;
using IocTwin.Persistence;

namespace IocTwin.Api.Audit;

/// <summary>The actions the audit log records.</summary>
public static class AuditActions
{
    public const string AlertAcknowledge = "alert.acknowledge";
    public const string AlertResolve = "alert.resolve";
    public const string AlertRulePut = "alert-rule.put";
    public const string AlertRuleDelete = "alert-rule.delete";
    public const string SectorsPut = "sectors.put";
    public const string SensorKindsPut = "sensor-kinds.put";
    public const string DistrictPut = "district.put";
    public const string SegmentPut = "segment.put";
    public const string SensorPut = "sensor.put";
    public const string TopologyImport = "topology.import";
    public const string ScenarioCreate = "scenario.create";
    public const string ScenarioIntervene = "scenario.intervene";
    public const string ScenarioRun = "scenario.run";
    public const string ScenarioDelete = "scenario.delete";
    public const string NetworkCreate = "network.create";
    public const string NetworkDelete = "network.delete";
    /// <summary>Followed by the step: report.assign, report.start, report.resolve, report.reject.</summary>
    public const string ReportPrefix = "report.";
}

/// <summary>Records who changed what; endpoints call it once their change is made.</summary>
public interface IAuditLog
{
    Task RecordAsync(ClaimsPrincipal actor, string action, string target, string? detail = null);
}

/// <summary>
/// Writes to the <see cref="AuditStore"/>. A change already made is not undone when its entry cannot be written: the
/// failure is logged as an error with the entry, so an operator can restore it.
/// </summary>
public sealed partial class AuditLog(AuditStore store, TimeProvider time, ILogger<AuditLog> logger) : IAuditLog
{
    public async Task RecordAsync(ClaimsPrincipal actor, string action, string target, string? detail = null)
    {
        var access = TwinAccess.From(actor);
        var entry = new AuditEntry(time.GetUtcNow(), actor.FindFirstValue("name") ?? access.Subject, access.Role ?? "", action, target, detail);
        try
        {
            await store.AppendAsync(entry);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogLost(ex, entry);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit entry not stored: {Entry}")]
    private partial void LogLost(Exception exception, AuditEntry entry);
}
