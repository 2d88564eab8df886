namespace IocTwin.Api.NgsiLd.Temporal;

/// <summary>
/// Where an entity's past values are kept: a sensor's readings, or (<paramref name="Kpis"/>) a segment's KPIs, each
/// value becoming a model attribute by the same mapping as the live entity.
/// </summary>
public sealed record HistorySource(string EntityId, bool Kpis, IReadOnlyList<SmartDataModels.ValueMapping> Values);
