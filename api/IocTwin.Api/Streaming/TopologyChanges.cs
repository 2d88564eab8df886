using IocTwin.Api.Apis;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Topology registered or moved through one API process reaches every API process at once, not when the areas concerned
/// next publish: the process that made the change applies it before it answers and tells the others through the twin's
/// observers (<see cref="ITwinPublisher.PublishTopologyChanged"/>). Applying it reads the tree of areas again (access and
/// area scopes follow it), has the held state read those areas again in the background (so that the next city screen is
/// copied from memory, also after an import), and takes the records city screens share again.
/// </summary>
public sealed class TopologyChanges(
    IGrainFactory grains, KnownEntities known, HeldTwin held, ScopeDispatcher dispatcher, ILogger<TopologyChanges> logger)
{
    /// <summary>This process, so that it does not apply its own change twice.</summary>
    public Guid Origin { get; } = Guid.NewGuid();

    /// <summary>Changes told to this process so far: taken before a change is stored, for <see cref="AnnounceAsync"/>.</summary>
    public long ChangesSoFar => held.Changes;

    /// <summary>
    /// Applies a change made through this process, then tells the other processes. <paramref name="stored"/>: views of
    /// the segments and sensors the change stored as rows (an import's new ones), when <see cref="ChangesSoFar"/> was
    /// <paramref name="storedSince"/>, which this process holds as given rather than activating their grains to read them.
    /// </summary>
    public async Task AnnounceAsync(IEnumerable<string> areaIds, bool treeChanged, bool moved = false, TwinViews? stored = null, long storedSince = 0)
    {
        var change = new TopologyChange(Origin, [.. areaIds.Distinct()], treeChanged, moved);
        await ApplyAsync(change, stored, storedSince);
        await grains.GetGrain<ITwinPublisher>(0).PublishTopologyChanged(change);
    }

    /// <summary>Applies a change told by the twin's observer; this process's own were applied as they were made.</summary>
    public void OnAnnounced(TopologyChange change)
    {
        if (change.Origin != Origin)
        {
            ApplyAsync(change).ContinueWith(t => logger.LogWarning(t.Exception, "Could not apply a topology change to this process"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task ApplyAsync(TopologyChange change, TwinViews? stored = null, long storedSince = 0)
    {
        if (change.TreeChanged)
        {
            // Raises AreasChanged, which resyncs the area scopes whose areas changed.
            await known.RefreshAsync();
        }
        held.Invalidate(change.AreaIds, stored, storedSince);
        dispatcher.OnTopologyChanged(change.AreaIds, resyncAreaScopes: change.Moved);
        _ = FillInBackgroundAsync();
    }

    private async Task FillInBackgroundAsync()
    {
        try
        {
            await held.FillAsync();
        }
        catch (Exception ex)
        {
            // Read at the next snapshot instead.
            logger.LogWarning(ex, "Could not read the areas whose topology changed into the held state");
        }
    }
}
