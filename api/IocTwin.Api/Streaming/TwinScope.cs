using System.Diagnostics.CodeAnalysis;
using IocTwin.Api.Access;
using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Api.Streaming;

public enum ScopeKind
{
    City,
    District,
    Sector,
    Entity,
    Scenario,
}

/// <summary>What a screen subscribes to: "city", "district:{id}", "sector:{name}", "entity:{id}", "scenario:{id}".</summary>
public sealed record TwinScope(ScopeKind Kind, string? Id, Sector? Sector)
{
    public static readonly TwinScope City = new(ScopeKind.City, null, null);

    public override string ToString() => Kind switch
    {
        ScopeKind.City => "city",
        ScopeKind.Sector => $"sector:{SectorNames.Name(Sector!.Value)}",
        _ => $"{Kind.ToString().ToLowerInvariant()}:{Id}",
    };

    public static bool TryParse(string? text, [NotNullWhen(true)] out TwinScope? scope, out string? error)
    {
        scope = null;
        error = null;
        if (text == "city")
        {
            scope = City;
            return true;
        }
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0)
        {
            error = "A scope is 'city', 'district:{id}', 'sector:{name}', 'entity:{id}' or 'scenario:{id}'.";
            return false;
        }
        var (prefix, value) = (text[..colon], text[(colon + 1)..]);
        switch (prefix)
        {
            case "sector" when SectorNames.TryParse(value, out var sector):
                scope = new TwinScope(ScopeKind.Sector, null, sector);
                return true;
            case "sector":
                error = $"Unknown sector '{value}'.";
                return false;
            case "district" or "entity" or "scenario" when TopologyRules.IsValidId(value):
                scope = new TwinScope(Enum.Parse<ScopeKind>(prefix, ignoreCase: true), value, null);
                return true;
            case "district" or "entity" or "scenario":
                error = $"The id in '{text}' {TopologyRules.IdRule}.";
                return false;
            default:
                error = $"Unknown scope kind '{prefix}'.";
                return false;
        }
    }

    public bool Covers(DistrictUpdate district) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Id == district.DistrictId,
        _ => false,
    };

    public bool Covers(AlertView alert) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Id == alert.DistrictId,
        ScopeKind.Sector => Sector == alert.Sector,
        ScopeKind.Entity => Id == alert.EntityId,
        _ => false,
    };

    public bool Covers(SegmentLive segment) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Id == segment.DistrictId,
        ScopeKind.Sector => Sector == Model.Sector.Traffic,
        ScopeKind.Entity => Id == segment.Id,
        _ => false,
    };

    public bool Covers(SensorLive sensor) => Kind switch
    {
        ScopeKind.City => true,
        ScopeKind.District => Id == sensor.DistrictId,
        ScopeKind.Sector => Sector == sensor.Sector,
        ScopeKind.Entity => Id == sensor.Id,
        _ => false,
    };
}
