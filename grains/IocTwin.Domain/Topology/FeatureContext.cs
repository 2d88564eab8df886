namespace IocTwin.Topology;

/// <summary>One feature being read: its index and id for the errors it reports, and whether any was reported.</summary>
internal sealed class FeatureContext(int index, List<ImportError> errors)
{
    public int Index { get; } = index;
    public string? Id { get; set; }
    public bool Failed { get; private set; }

    /// <summary>The path of a field of feature <paramref name="index"/>, as <see cref="ImportError.Field"/> names it.</summary>
    public static string Path(int index, string field) =>
        field.Length == 0 ? $"features[{index}]" : $"features[{index}].{field}";

    public void Error(string field, string message)
    {
        errors.Add(new ImportError(Index, Id, Path(Index, field), message));
        Failed = true;
    }

    /// <summary>
    /// The rules every topology entity obeys however it arrives; the feature readers check most of them field by field,
    /// the rest (name and length limits, capacity ceiling) are reported here against the feature's field.
    /// </summary>
    public bool PassesRules(IEnumerable<(string Field, string Message)> problems, bool lengthGiven)
    {
        var ok = true;
        foreach (var (field, message) in problems)
        {
            var path = field switch
            {
                "boundary" or "geometry" or "location" => "geometry",
                "lengthM" when !lengthGiven => "geometry",
                _ => "properties." + field,
            };
            Error(path, field == "lengthM" && !lengthGiven ? $"The length of the line {message}." : $"{field} {message}.");
            ok = false;
        }
        return ok;
    }
}
