using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class CitizenReportState
{
    [Id(0)] public NewReport? Filed { get; set; }
    [Id(1)] public List<ReportStep> Steps { get; set; } = [];
    [Id(2)] public long Version { get; set; }
}

/// <summary>
/// A citizen report: filed once, then taken through its lifecycle by the OC responsible for it or the IOC. Every step
/// is stored before it is answered, then listed in the report index, counted (or no longer) by its area, and sent to
/// screens without the reporter's contact.
/// </summary>
public sealed class ReportGrain(
    [PersistentState("report", TwinStorage.Name)] IPersistentState<CitizenReportState> state,
    TimeProvider time) : Grain, IReportGrain
{
    private string ReportId => this.GetPrimaryKeyString();

    public async Task<ReportView> File(NewReport report)
    {
        if (state.State.Filed is { } filed)
        {
            // A retry of a filing whose area or index write failed: finish what the stored report says is owed.
            await RepairAsync(filed);
            return View(filed);
        }
        state.State.Filed = report;
        state.State.Steps = [new ReportStep(ReportState.Received, report.FiledBy, report.CreatedAt, Note: null)];
        state.State.Version++;
        await state.WriteStateAsync();
        await RepairAsync(report);
        Publish(report);
        return View(report);
    }

    public Task<ReportView?> Get() => Task.FromResult(state.State.Filed is { } filed ? View(filed) : null);

    public async Task<ReportActionResult?> Act(ReportAction action, string by, string? note)
    {
        if (state.State.Filed is not { } filed)
        {
            return null;
        }
        if (ReportLifecycle.Next(CurrentState, action) is not { } next)
        {
            // Often the retry of a step stored before its area or index write failed: those are made good before answering.
            await RepairAsync(filed);
            return new ReportActionResult(View(filed), Applied: false);
        }
        state.State.Steps.Add(new ReportStep(next, by, time.GetUtcNow(), note));
        state.State.Version++;
        await state.WriteStateAsync();
        await RepairAsync(filed);
        Publish(filed);
        return new ReportActionResult(View(filed), Applied: true);
    }

    private ReportState CurrentState => state.State.Steps.Count > 0 ? state.State.Steps[^1].State : ReportState.Received;

    private bool IsOpen => CurrentState is not (ReportState.Resolved or ReportState.Rejected);

    /// <summary>
    /// Brings the area's count and the index in line with the stored report. Both writes are idempotent, so this runs on
    /// every call: a side effect that failed after the report was stored is made good by the next call for it.
    /// </summary>
    private async Task RepairAsync(NewReport filed)
    {
        var area = GrainFactory.GetGrain<IDistrictGrain>(filed.AreaId);
        await (IsOpen ? area.TrackReport(new OpenReport(ReportId, filed.Sector, filed.DueAt)) : area.UntrackReport(ReportId));
        await ReportIndex.Of(GrainFactory, ReportId).Put(new ReportEntry(ReportId, filed.AreaId, filed.Sector, filed.Category, CurrentState,
            filed.CreatedAt, filed.DueAt));
    }

    /// <summary>Tells the screens that may see the report how it stands now.</summary>
    private void Publish(NewReport filed) =>
        GrainFactory.GetGrain<ITwinPublisher>(0).PublishReport(View(filed) with { Contact = null }).Ignore();

    private ReportView View(NewReport filed) => new(ReportId, filed.Category, filed.Sector, filed.Location, filed.Text, filed.PhotoUrl,
        filed.AreaId, CurrentState, filed.CreatedAt, filed.DueAt, [.. state.State.Steps], state.State.Version, filed.Contact);
}
