using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>
/// The areas of one import checked as a tree (parents known, no cycles, each child's boundary inside its parent's),
/// and the leaf area each segment and sensor belongs to. A parent the twin already holds is taken as it is: its
/// boundary is not in the file, so a child under it is not checked against it.
/// </summary>
internal sealed class AreaTreeImport
{
    private readonly Dictionary<string, DistrictSpec> _accepted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DistrictSpec>> _children = new(StringComparer.Ordinal);
    private readonly IReadOnlySet<string>? _known;

    private AreaTreeImport(IReadOnlySet<string>? known) => _known = known;

    /// <summary>The accepted areas, each parent before its children.</summary>
    public List<DistrictSpec> Accepted { get; } = [];

    public bool IsKnown(string id) => _accepted.ContainsKey(id) || (_known?.Contains(id) ?? false);

    public static AreaTreeImport Check(IReadOnlyList<AreaCandidate> candidates, IReadOnlySet<string>? knownAreaIds, List<ImportError> errors)
    {
        var tree = new AreaTreeImport(knownAreaIds);
        var inFile = candidates.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var pending = candidates.ToList();
        // Parents first: each pass accepts the areas whose parent is settled (accepted, or held by the twin).
        while (pending.Count > 0)
        {
            var ready = pending.Where(c => c.Spec.ParentId is not { } parent || tree._accepted.ContainsKey(parent) ||
                (!inFile.ContainsKey(parent) && (knownAreaIds?.Contains(parent) ?? false))).ToList();
            if (ready.Count == 0)
            {
                break;
            }
            foreach (var candidate in ready)
            {
                pending.Remove(candidate);
                var spec = candidate.Spec;
                if (spec.ParentId is { } parentId && tree._accepted.TryGetValue(parentId, out var parent) && !AreaGeometry.HoldsBoundary(parent, spec))
                {
                    Error(errors, candidate, "geometry",
                        $"The boundary of area '{spec.Id}' is not inside that of its parent '{parentId}' (a shared edge may stray {AreaGeometry.EdgeToleranceM} m).");
                    continue;
                }
                tree.Accept(spec);
            }
        }
        // What is left has a parent that is unknown, rejected, or on a cycle.
        var rejected = candidates.Select(c => c.Id).Where(id => !tree._accepted.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
        foreach (var candidate in pending)
        {
            var parentId = candidate.Spec.ParentId!;
            var message = !inFile.ContainsKey(parentId)
                ? $"Unknown parent area '{parentId}'."
                : Cycle(candidate.Id, inFile) is { } cycle
                    ? $"The areas' parents form a cycle: {string.Join(" → ", cycle)}."
                    : $"The parent area '{parentId}' was rejected.";
            Error(errors, candidate, "properties.parentId", message);
        }
        return tree;
    }

    private static void Error(List<ImportError> errors, AreaCandidate candidate, string field, string message) =>
        errors.Add(new ImportError(candidate.Index, candidate.Id, FeatureContext.Path(candidate.Index, field), message));

    /// <summary>The cycle through this area's parents, when it is on one: [a, b, a].</summary>
    private static List<string>? Cycle(string id, Dictionary<string, AreaCandidate> inFile)
    {
        List<string> path = [id];
        for (var next = inFile[id].Spec.ParentId; next is not null && inFile.TryGetValue(next, out var parent); next = parent.Spec.ParentId)
        {
            path.Add(next);
            if (next == id)
            {
                return path;
            }
            if (path.Count > inFile.Count + 1)
            {
                return null;
            }
        }
        return null;
    }

    private void Accept(DistrictSpec spec)
    {
        _accepted.Add(spec.Id, spec);
        Accepted.Add(spec);
        if (spec.ParentId is { } parentId)
        {
            (_children.TryGetValue(parentId, out var siblings) ? siblings : _children[parentId] = []).Add(spec);
        }
    }

    /// <summary>
    /// The leaf area a segment or sensor at <paramref name="point"/> belongs to: the named area when it is a leaf (or an
    /// area the twin holds), else the leaf below the named area, or below the city when none is named, that holds the
    /// point. Null with the problem when there is none.
    /// </summary>
    public string? Place(string? named, GeoPoint point, out string? problem)
    {
        problem = null;
        if (named is not null && !_accepted.ContainsKey(named))
        {
            if (_known?.Contains(named) ?? false)
            {
                return named;
            }
            problem = $"Unknown area '{named}'.";
            return null;
        }
        if (named is not null && !_children.ContainsKey(named))
        {
            return named;
        }
        var leaves = named is null ? Accepted.Where(a => !_children.ContainsKey(a.Id)) : Leaves(named);
        var candidates = leaves.ToList();
        var holder = candidates.FirstOrDefault(a => AreaGeometry.Holds(a, point)) ??
            candidates.FirstOrDefault(a => AreaGeometry.Holds(a, point, AreaGeometry.EdgeToleranceM));
        if (holder is null)
        {
            problem = Accepted.Count == 0 && named is null
                ? "Missing \"districtId\" (or \"areaId\"): the file has no areas to place it in."
                : $"It lies outside every leaf area{(named is null ? "" : $" of '{named}'")}.";
        }
        return holder?.Id;
    }

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="id"/> or an area above it in this file.</summary>
    public bool IsSelfOrAncestor(string ancestor, string id)
    {
        for (var next = (string?)id; next is not null; next = _accepted.GetValueOrDefault(next)?.ParentId)
        {
            if (next == ancestor)
            {
                return true;
            }
        }
        return false;
    }

    private IEnumerable<DistrictSpec> Leaves(string id) => _children.TryGetValue(id, out var children)
        ? children.SelectMany(c => Leaves(c.Id))
        : [_accepted[id]];
}
