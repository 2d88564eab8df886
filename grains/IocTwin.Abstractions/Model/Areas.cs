namespace IocTwin.Model;

/// <summary>Where one area sits in the tree: its kind and its parent (null: directly under the city).</summary>
[GenerateSerializer, Immutable]
public sealed record AreaLink(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? ParentId);

/// <summary>
/// The tree of the city's areas, as the city keeps it: which area is under which. Answers the questions access and
/// scopes ask (what lies below an area, what lies above it) without waking an area grain.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AreaTree([property: Id(0)] IReadOnlyList<AreaLink> Links)
{
    public static readonly AreaTree Empty = new([]);

    // Built on first use; two threads building them at once build the same thing.
    [NonSerialized] private Dictionary<string, AreaLink>? _byId;
    [NonSerialized] private Dictionary<string, List<string>>? _children;

    private Dictionary<string, AreaLink> ById => _byId ??= Links.ToDictionary(l => l.Id, StringComparer.Ordinal);

    private Dictionary<string, List<string>> ChildrenById => _children ??= Links
        .Where(l => l.ParentId is not null)
        .GroupBy(l => l.ParentId!, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(l => l.Id).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

    public bool Contains(string id) => ById.ContainsKey(id);

    public AreaLink? Find(string id) => ById.GetValueOrDefault(id);

    public IReadOnlyList<string> Children(string id) => ChildrenById.GetValueOrDefault(id) ?? [];

    public bool IsLeaf(string id) => !ChildrenById.ContainsKey(id);

    /// <summary>The area and every area below it, parents before children.</summary>
    public IEnumerable<string> Subtree(string id)
    {
        var pending = new Queue<string>([id]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var next))
        {
            // A tree has no cycles; the set only guards against a corrupted one looping forever.
            if (!seen.Add(next))
            {
                continue;
            }
            yield return next;
            foreach (var child in Children(next))
            {
                pending.Enqueue(child);
            }
        }
    }

    /// <summary>The area's parent, its parent's parent ... up to the area directly under the city.</summary>
    public IEnumerable<string> Ancestors(string id)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { id };
        for (var parent = Find(id)?.ParentId; parent is not null && seen.Add(parent); parent = Find(parent)?.ParentId)
        {
            yield return parent;
        }
    }

    /// <summary>Whether <paramref name="id"/> is one of <paramref name="areaIds"/> or lies below one of them.</summary>
    public bool IsWithin(string id, IReadOnlySet<string> areaIds) =>
        areaIds.Contains(id) || Ancestors(id).Any(areaIds.Contains);
}
