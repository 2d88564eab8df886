namespace IocTwin.Hosting;

/// <summary>
/// Whether the sample city this silo loads on first start is in the twin: loaded, found there already, or not asked
/// for. Readiness waits on it, so that nobody trusting readiness sees a half-loaded twin.
/// </summary>
public sealed class SampleCityLoad(bool seeding)
{
    private volatile bool _loaded = !seeding;

    public bool IsLoaded => _loaded;

    internal void Loaded() => _loaded = true;
}
