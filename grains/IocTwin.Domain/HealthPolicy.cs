using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>Classifies a sensor by how long ago it was last heard from.</summary>
public static class HealthPolicy
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(15);

    public static SensorHealth Classify(DateTimeOffset? lastSeen, DateTimeOffset now)
    {
        if (lastSeen is not { } seen)
        {
            return SensorHealth.Offline;
        }
        var age = now - seen;
        return age <= StaleAfter ? SensorHealth.Online : age <= OfflineAfter ? SensorHealth.Stale : SensorHealth.Offline;
    }

    /// <summary>The last moment a sensor last heard at <paramref name="lastSeen"/> keeps the health it has now.</summary>
    public static DateTimeOffset HoldsUntil(DateTimeOffset? lastSeen, SensorHealth health) => (lastSeen, health) switch
    {
        ({ } seen, SensorHealth.Online) when seen < DateTimeOffset.MaxValue - OfflineAfter => seen + StaleAfter,
        ({ } seen, SensorHealth.Stale) when seen < DateTimeOffset.MaxValue - OfflineAfter => seen + OfflineAfter,
        _ => DateTimeOffset.MaxValue,
    };
}
