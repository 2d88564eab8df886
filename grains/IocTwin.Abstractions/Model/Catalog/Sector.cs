using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// The city sector that owns a sensor's data; sector OCs are scoped by it. The city defines its sectors (see the
/// catalogue); the six below are the defaults, named here so code that needs one (traffic owns the roads) can say so.
/// Serialized as its kebab-case id; Orleans stores it with <see cref="SectorCodec"/>, which also reads the enum number
/// rows stored before sectors were defined by the city.
/// </summary>
[Immutable, JsonConverter(typeof(CatalogIdJsonConverter<Sector>))]
public readonly record struct Sector : ICatalogId<Sector>, IComparable<Sector>
{
    private readonly string? _id;

    public Sector(string id) => _id = id;

    public string Id => _id ?? "";

    public static readonly Sector Traffic = new("traffic");
    public static readonly Sector Environment = new("environment");
    public static readonly Sector Flood = new("flood");
    public static readonly Sector Lighting = new("lighting");
    public static readonly Sector Water = new("water");
    public static readonly Sector PublicSafety = new("public-safety");

    public static IReadOnlyList<Sector> Compiled { get; } = [Traffic, Environment, Flood, Lighting, Water, PublicSafety];

    public static Sector FromId(string id) => new(id);

    public int CompareTo(Sector other) => CatalogIds.Compare(this, other);

    public override string ToString() => Id;
}
