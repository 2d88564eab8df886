using IocTwin.Model;

namespace IocTwin.Grains;

[GenerateSerializer]
public sealed class ReportIndexState
{
    [Id(0)] public Dictionary<string, ReportEntry> Reports { get; set; } = [];
}

/// <summary>One shard of the report index; written at once, as reports are filed and move on.</summary>
public sealed class ReportIndexGrain(
    [PersistentState("report-index", TwinStorage.Name)] IPersistentState<ReportIndexState> state) : Grain, IReportIndexGrain
{
    public async Task Put(ReportEntry entry)
    {
        state.State.Reports[entry.Id] = entry;
        await state.WriteStateAsync();
    }

    public Task<ReportEntry?> Find(string reportId) => Task.FromResult(state.State.Reports.GetValueOrDefault(reportId));

    public Task<IReadOnlyList<ReportEntry>> List() => Task.FromResult<IReadOnlyList<ReportEntry>>([.. state.State.Reports.Values]);
}
