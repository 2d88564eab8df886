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
}
