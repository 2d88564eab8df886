namespace IocTwin.Model;

/// <summary>How a change to the catalogue of sectors and sensor kinds ended.</summary>
public enum CatalogChangeOutcome
{
    Stored,
    /// <summary>The caller read another version than the stored one (If-Match): nothing was changed.</summary>
    VersionMismatch,
    /// <summary>The list posted is not valid next to the stored catalogue: <see cref="CatalogChange.Problems"/>.</summary>
    Invalid,
    /// <summary>Something removed is still in use: <see cref="CatalogChange.Conflicts"/>.</summary>
    Conflict,
}

/// <summary>A field of the list posted and what is wrong with it ("[2].values[0].min").</summary>
[GenerateSerializer, Immutable]
public sealed record CatalogFieldProblem([property: Id(0)] string Field, [property: Id(1)] string Message);

/// <summary>
/// Something the catalogue must keep while it exists: a sensor of a sector and kind, or anything else the API knows of
/// that names a sector or kind (<see cref="Noun"/> says what, in plural: "sensors").
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CatalogUse(
    [property: Id(0)] string Noun,
    [property: Id(1)] string Id,
    [property: Id(2)] string? Sector,
    [property: Id(3)] string? Kind);

/// <summary>What a change did: <see cref="Catalog"/> is the catalogue stored now (the new one when <see cref="Outcome"/> is Stored).</summary>
[GenerateSerializer, Immutable]
public sealed record CatalogChange(
    [property: Id(0)] CatalogChangeOutcome Outcome,
    [property: Id(1)] SectorCatalogDocument Catalog,
    [property: Id(2)] IReadOnlyList<CatalogFieldProblem> Problems,
    [property: Id(3)] IReadOnlyList<string> Conflicts);
