using System.Text.RegularExpressions;

namespace IocTwin.Model;

/// <summary>
/// An id from the city's catalogue of sectors and sensor kinds: a kebab-case string ("public-safety"), written the same
/// in JSON, tokens, scopes and stored state.
/// </summary>
public interface ICatalogId<TSelf> where TSelf : struct, ICatalogId<TSelf>
{
    string Id { get; }

    static abstract TSelf FromId(string id);

    /// <summary>
    /// The ids the twin compiled in before cities defined their own, in the order of the enum that stored them: old
    /// rows hold a position in this list.
    /// </summary>
    static abstract IReadOnlyList<TSelf> Compiled { get; }
}

public static partial class CatalogIds
{
    public const int MaxLength = 40;

    /// <summary>Lower-case letters and digits in words joined by single hyphens, at most <see cref="MaxLength"/> long.</summary>
    public static bool IsWellFormed(string? id) => id is { Length: > 0 and <= MaxLength } && KebabCase().IsMatch(id);

    /// <summary>Compiled ids first, in their old enum order (screens and scope names list them so), then the rest by id.</summary>
    public static int Compare<T>(T a, T b) where T : struct, ICatalogId<T>
    {
        var (ia, ib) = (Position(a), Position(b));
        return ia != ib ? ia.CompareTo(ib) : string.CompareOrdinal(a.Id, b.Id);
    }

    private static int Position<T>(T id) where T : struct, ICatalogId<T>
    {
        var compiled = T.Compiled;
        for (var i = 0; i < compiled.Count; i++)
        {
            if (compiled[i].Id == id.Id) return i;
        }
        return int.MaxValue;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
