using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>The outcome of a city import: what was accepted, and every feature that was left out and why.</summary>
public sealed record CityImportResult(CitySpec City, IReadOnlyList<ImportError> Errors)
{
    public bool HasErrors => Errors.Count > 0;
}
