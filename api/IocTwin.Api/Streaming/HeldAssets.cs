using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The latest view of every moving asset, held by this API process for hub snapshots: read once from the asset index
/// and the assets' grains when a snapshot first needs them, then kept current by the asset updates the process's
/// observer receives (newer version wins, whichever came first). Read again after <see cref="Forget"/> (updates may have
/// been missed while the observer was not registered).
/// </summary>
public sealed class HeldAssets(IGrainFactory grains, ILogger<HeldAssets> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AssetView> _assets = new(StringComparer.Ordinal);
    private Task? _fill;

    /// <summary>
    /// Reads every asset once (again after <see cref="Forget"/>); later callers wait for the same read. Never fails: a
    /// read that failed is logged and tried again by the next caller, and snapshots meanwhile hold the assets held.
    /// </summary>
    public Task EnsureFilledAsync()
    {
        lock (_gate)
        {
            return _fill ??= Task.Run(FillAsync);
        }
    }

    /// <summary>Lays asset updates over what is held.</summary>
    public void Apply(IEnumerable<AssetUpdate> updates)
    {
        lock (_gate)
        {
            foreach (var update in updates)
            {
                Keep(update.Asset);
            }
        }
    }

    /// <summary>The assets a scope covers now, by id.</summary>
    public List<AssetView> CoveredBy(TwinScope scope)
    {
        lock (_gate)
        {
            return [.. _assets.Values.Where(scope.Covers).OrderBy(a => a.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>Updates may have been missed: every asset is read again before the next snapshot that needs them.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            _fill = null;
        }
    }

    private async Task FillAsync()
    {
        try
        {
            var entries = await AssetIndex.ListAsync(grains);
            var views = await Task.WhenAll(entries.Select(e => grains.GetGrain<IAssetGrain>(e.Id).Get()));
            lock (_gate)
            {
                foreach (var view in views.OfType<AssetView>())
                {
                    Keep(view);
                }
            }
            logger.LogDebug("Held {Count} assets for hub snapshots", views.Length);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Reading the assets for hub snapshots failed; the next snapshot tries again");
            Forget();
        }
    }

    private void Keep(AssetView asset)
    {
        if (!_assets.TryGetValue(asset.Id, out var known) || asset.Version >= known.Version)
        {
            _assets[asset.Id] = asset;
        }
    }
}
