namespace IocTwin.History;

/// <summary>One KPI of a segment or district at a time.</summary>
public readonly record struct KpiPoint(string EntityId, DateTimeOffset Time, string Name, double Value);
