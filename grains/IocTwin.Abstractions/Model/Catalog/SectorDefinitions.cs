namespace IocTwin.Model;

/// <summary>
/// A sector the city defines: kebab-case id, names in Vietnamese and English, the colour screens give it, and the KPIs
/// its sensors' values roll up into (besides the sensor counts and open alerts every sector has).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SectorDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string NameVi,
    [property: Id(2)] string NameEn,
    [property: Id(3)] string Colour,
    [property: Id(4)] IReadOnlyList<SectorKpiRule>? Kpis = null);

/// <summary>
/// A KPI of a sector's area and city views: one value of one sensor kind over the sensors online or stale there,
/// aggregated by "mean", "max", "min" or "sum". Areas roll up exactly (a mean weighted by its sensor count).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SectorKpiRule(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Value,
    [property: Id(3)] string Aggregate);

/// <summary>
/// A sensor kind the city defines: the sector owning its sensors by default, the values it reports with their units and
/// physically possible ranges (readings outside are refused), and the alert rule it gets unless operators change the rules.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SensorKindDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string Sector,
    [property: Id(2)] IReadOnlyList<SensorValueDefinition> Values,
    [property: Id(3)] KindAlertDefinition? Alert = null,
    [property: Id(4)] string? NameVi = null,
    [property: Id(5)] string? NameEn = null);

/// <summary>A value a sensor kind reports, its unit and its inclusive physical range.</summary>
[GenerateSerializer, Immutable]
public sealed record SensorValueDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Unit,
    [property: Id(2)] double Min,
    [property: Id(3)] double Max);

/// <summary>A kind's default alert: its value over <see cref="Threshold"/> for <see cref="ForSeconds"/>, cleared under <see cref="ClearThreshold"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record KindAlertDefinition(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Value,
    [property: Id(3)] double Threshold,
    [property: Id(4)] double ClearThreshold,
    [property: Id(5)] double ForSeconds,
    [property: Id(6)] string Severity);

/// <summary>
/// The city's sectors and sensor kinds, as stored and announced. <see cref="Version"/> is 0 for a configured catalogue
/// and counts the stores from 1: a process keeps the highest it was told of, and the admin API serves it as the ETag.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SectorCatalogDocument(
    [property: Id(0)] IReadOnlyList<SectorDefinition> Sectors,
    [property: Id(1)] IReadOnlyList<SensorKindDefinition> Kinds,
    [property: Id(2)] long Version = 0);
