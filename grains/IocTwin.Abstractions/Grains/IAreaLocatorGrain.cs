using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>Finds the areas holding points, from the boundaries of the city's areas. A worker on every silo. Key 0.</summary>
public interface IAreaLocatorGrain : IGrainWithIntegerKey
{
    /// <summary>For each point, the areas holding it, deepest first; empty for a point outside every area.</summary>
    [Alias("Locate")]
    Task<string[][]> Locate([Immutable] GeoPoint[] points);
}
