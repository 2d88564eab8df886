using IocTwin.Model;

namespace IocTwin.Api.Apis;

/// <summary>A scenario as GET /scenarios/{id} answers it: its summary and, once run, its report (trimmed to an OC's scope).</summary>
public sealed record ScenarioDetails : ScenarioSummary
{
    public ScenarioDetails(ScenarioSummary summary, ScenarioReport? report) : base(summary) => Report = report;

    public ScenarioReport? Report { get; init; }
}
