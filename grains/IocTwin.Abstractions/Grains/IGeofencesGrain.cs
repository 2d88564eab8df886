using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The city's geofence rules, stored durably. Key 0.</summary>
public interface IGeofencesGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<IReadOnlyList<GeofenceRule>> Get();

    /// <summary>Adds or replaces the rule; null, changing nothing, when it is new and the city has <paramref name="maxRules"/> already.</summary>
    [Alias("TryPut")]
    Task<IReadOnlyList<GeofenceRule>?> TryPut(GeofenceRule rule, int maxRules);

    [Alias("Delete")]
    Task<bool> Delete(string ruleId);
}
