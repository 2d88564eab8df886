namespace IocTwin.Model;

/// <summary>Kinds of administrative area the twin itself names; a city's data may name others (commune, special-zone ...).</summary>
public static class AreaKinds
{
    /// <summary>The one level the twin had before areas nested, and what a district feature or an old stored area is.</summary>
    public const string District = "district";

    public const string Ward = "ward";

    /// <summary>A kind as the twin keeps it: state stored before areas had kinds reads as a district.</summary>
    public static string OrDistrict(string? kind) => string.IsNullOrEmpty(kind) ? District : kind;
}
