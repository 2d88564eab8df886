using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// The latest view of every moving asset, held by this API process for hub snapshots: read once from the asset index
/// and the assets' grains when a snapshot first needs them, then kept current by the asset updates the process's
/// observer receives (newer version wins, whichever came first). Read again after <see cref="Forget"/> (updates may have
/// been missed while the observer was not registered). A read that fails is tried again, waiting longer each time, and
/// once it succeeds the screens that took snapshots meanwhile are told (<see cref="FilledLate"/>).
/// </summary>
public sealed class HeldAssets(IGrainFactory grains, TimeProvider time, ILogger<HeldAssets> logger)
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, AssetView> _assets = new(StringComparer.Ordinal);
    private Task? _firstRead;
    // Bumped by Forget, so that the retries of a forgotten fill stop: the next fill reads anew.
    private long _generation;

    /// <summary>A read succeeded after one failed: snapshots taken meanwhile lacked assets and are to be taken again.</summary>
    public event Action? FilledLate;

    /// <summary>
    /// Reads every asset once (again after <see cref="Forget"/>); later callers wait for the same first read. Never fails:
    /// a failed read is logged and tried again in the background, and snapshots meanwhile hold the assets held.
    /// </summary>
    public Task EnsureFilledAsync()
    {
        lock (_gate)
        {
            if (_firstRead is null)
            {
                var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _firstRead = firstRead.Task;
                var generation = _generation;
                _ = Task.Run(() => FillUntilReadAsync(firstRead, generation));
            }
            return _firstRead;
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
            _firstRead = null;
            _generation++;
        }
    }

    private async Task FillUntilReadAsync(TaskCompletionSource firstRead, long generation)
    {
        var delay = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            var read = await TryFillAsync();
            firstRead.TrySetResult();
            if (read)
            {
                if (attempt > 1)
                {
                    FilledLate?.Invoke();
                }
                return;
            }
            await Task.Delay(delay, time);
            delay = delay * 2 < LongestRetry ? delay * 2 : LongestRetry;
            lock (_gate)
            {
                if (generation != _generation)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> TryFillAsync()
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
            return true;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Reading the assets for hub snapshots failed; trying again");
            return false;
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
