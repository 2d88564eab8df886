using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>A moving asset (ambulance, fire engine, bus, service vehicle, fishing vessel). Key: the asset id.</summary>
public interface IAssetGrain : IGrainWithStringKey
{
    /// <summary>Registers the asset or changes its name, kind or sector; persisted before it returns.</summary>
    [Alias("Register")]
    Task<AssetView> Register(AssetSpec spec);

    [Alias("Get")]
    Task<AssetView?> Get();

    /// <summary>
    /// A new position, with the areas holding it, deepest first (empty outside every area). A report older than the latest
    /// is ignored; an asset not registered ignores reports.
    /// </summary>
    [Alias("Report")]
    Task Report(AssetPosition position, [Immutable] string[] areaPath);
}
