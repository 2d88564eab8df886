using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.Apis;

/// <summary>An area of the tree with its outline, and how many areas lie above it.</summary>
public sealed record AreaOutline(DistrictView Area, int Depth);

/// <summary>
/// The outlines of the areas in the tree <see cref="KnownEntities"/> holds, read from the area grains when first asked
/// after each read of the topology (an area registered, imported or moved, here or through another process), so that
/// what places a point in an area follows the same tree access does. Concurrent askers share one read.
/// </summary>
public sealed class AreaOutlines
{
    private readonly KnownEntities _known;
    private readonly IGrainFactory _grains;
    private readonly Lock _gate = new();
    private Task<IReadOnlyList<AreaOutline>>? _outlines;

    public AreaOutlines(KnownEntities known, IGrainFactory grains)
    {
        _known = known;
        _grains = grains;
        known.TopologyRead += Forget;
    }

    /// <summary>The areas that have an outline (three points or more), with their depth in the tree.</summary>
    public async Task<IReadOnlyList<AreaOutline>> GetAsync()
    {
        Task<IReadOnlyList<AreaOutline>> reading;
        lock (_gate)
        {
            reading = _outlines ??= ReadAsync();
        }
        try
        {
            return await reading;
        }
        catch
        {
            // A failed read is not kept: the next caller tries again.
            lock (_gate)
            {
                if (_outlines == reading) _outlines = null;
            }
            throw;
        }
    }

    private void Forget()
    {
        lock (_gate)
        {
            _outlines = null;
        }
    }

    private async Task<IReadOnlyList<AreaOutline>> ReadAsync()
    {
        await Task.Yield();
        if (!_known.Loaded)
        {
            await _known.RefreshAsync();
        }
        var tree = _known.Areas;
        var areas = await Task.WhenAll(tree.Links.Select(l => _grains.GetGrain<IDistrictGrain>(l.Id).Get()));
        return [.. areas.OfType<DistrictView>().Where(a => a.Boundary is { Count: >= 3 }).Select(a => new AreaOutline(a, tree.Ancestors(a.Id).Count()))];
    }
}
