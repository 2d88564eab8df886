namespace IocTwin.History;

/// <summary>
/// The series a history query reads: some ids, or those whose id starts with a prefix (an asset's track is kept as
/// "asset:" + its id). Pushed into the query, so that a reader asking about a few series does not read every one.
/// </summary>
public sealed class HistorySeries
{
    /// <summary>Ids per statement: well under the parameter limits of SQLite and PostgreSQL.</summary>
    internal const int IdsPerStatement = 500;

    private HistorySeries(HashSet<string>? ids, string? prefix)
    {
        Ids = ids;
        Prefix = prefix;
    }

    internal HashSet<string>? Ids { get; }

    internal string? Prefix { get; }

    /// <summary>The series with these ids.</summary>
    public static HistorySeries Only(IEnumerable<string> ids) => new([.. ids], null);

    /// <summary>The series whose id starts with <paramref name="prefix"/>.</summary>
    public static HistorySeries StartingWith(string prefix) =>
        string.IsNullOrEmpty(prefix) ? throw new ArgumentException("A prefix names at least one character.", nameof(prefix)) : new(null, prefix);

    public bool Contains(string id) =>
        Ids?.Contains(id) ?? id.StartsWith(Prefix!, StringComparison.Ordinal);

    /// <summary>
    /// One SQL condition on <c>sensor_id</c> per statement to run, with its parameters: a prefix in one, ids in groups of
    /// <see cref="IdsPerStatement"/> (none when there are no ids: nothing to read).
    /// </summary>
    internal IEnumerable<(string Condition, (string Name, object Value)[] Parameters)> Conditions()
    {
        if (Prefix is not null)
        {
            // substr rather than LIKE (no escaping) or a range (PostgreSQL may compare text by locale).
            yield return ("substr(sensor_id, 1, @prefix_length) = @prefix", [("prefix_length", Prefix.Length), ("prefix", Prefix)]);
            yield break;
        }
        foreach (var chunk in Ids!.Order(StringComparer.Ordinal).Chunk(IdsPerStatement))
        {
            var names = chunk.Select((_, i) => $"id{i}").ToArray();
            yield return ($"sensor_id IN ({string.Join(", ", names.Select(n => "@" + n))})",
                [.. chunk.Select((id, i) => (names[i], (object)id))]);
        }
    }
}
