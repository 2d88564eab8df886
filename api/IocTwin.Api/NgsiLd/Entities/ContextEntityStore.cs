using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd.Query;
using IocTwin.Api.NgsiLd.Temporal;
using IocTwin.Grains;
using IocTwin.Model;
using IocTwin.Topology;

namespace IocTwin.Api.NgsiLd.Entities;

/// <summary>
/// The context entities (types the twin does not model itself) as the NGSI-LD interface reads and writes them: selected
/// through the index (no grain is activated for an id that does not exist), cut to the caller's scope, and placed in
/// the district their location lies in. Scope: the ioc and viewer roles see every context entity; a district OC those
/// in its districts; a sector OC none (a context entity belongs to no sector).
/// </summary>
public sealed class ContextEntityStore(IGrainFactory grains, TimeProvider time)
{
    /// <summary>District boundaries change only with the topology: read again after this long.</summary>
    private static readonly TimeSpan AreasRefresh = TimeSpan.FromMinutes(1);

    private (DateTimeOffset ReadAt, List<(NgsiEntity Area, int Depth)> Areas)? _areas;

    private IContextEntityIndexGrain Index => grains.GetGrain<IContextEntityIndexGrain>(0);

    /// <summary>Whether an id or (expanded) type is one of the twin's own: its topology and readings, not a context entity.</summary>
    public static bool IsTwinOwned(string id, string? type) =>
        (NgsiLdFormat.ParseUrn(id) is var (shortType, _) && Sdm.Types.ContainsKey(shortType)) || (type is not null && Sdm.Types.Values.Contains(type));

    public static bool CanSee(TwinAccess access, string? districtId) =>
        access.SeesEverything || (districtId is not null && access.CanSeeAllOfDistrict(districtId));

    /// <summary>Every context entity the caller may see whose type passes <paramref name="wantsType"/>.</summary>
    public async Task<List<NgsiEntity>> ReadAsync(TwinAccess access, Func<string, bool> wantsType)
    {
        var entries = (await Index.List()).Where(e => wantsType(e.Type) && CanSee(access, e.DistrictId));
        var entities = await Task.WhenAll(entries.Select(e => grains.GetGrain<IContextEntityGrain>(e.Id).Get()));
        return [.. entities.OfType<ContextEntity>().Where(e => CanSee(access, e.DistrictId)).Select(ToNgsi)];
    }

    /// <summary>The context entity of that id if the caller may see it; null otherwise.</summary>
    public async Task<NgsiEntity?> ReadOneAsync(TwinAccess access, string id) =>
        await Index.Find(id) is { } entry && CanSee(access, entry.DistrictId)
            && await grains.GetGrain<IContextEntityGrain>(id).Get() is { } entity && CanSee(access, entity.DistrictId)
            ? ToNgsi(entity)
            : null;

    public async Task<bool> ExistsAsync(string id) => await Index.Find(id) is not null;

    /// <summary>A write to one context entity, its district found from the location it gives.</summary>
    public async Task<ContextWriteOutcome> WriteAsync(string id, ContextWriteMode mode, ParsedEntity parsed, string? attributeName = null)
    {
        var location = parsed.Attributes.GetValueOrDefault(ContextEntityWrites.Location);
        var districtId = location is { Kind: ContextAttributeKind.GeoProperty } ? await DistrictOfAsync(location.ValueJson) : null;
        var write = new ContextEntityWrite(mode, parsed.Type, parsed.Attributes, attributeName, districtId, location is not null);
        return await grains.GetGrain<IContextEntityGrain>(id).Write(write);
    }

    public static NgsiEntity ToNgsi(ContextEntity entity)
    {
        var attributes = entity.Attributes.ToDictionary(a => a.Key, a => new NgsiAttribute(KindOf(a.Value.Kind), JsonNode.Parse(a.Value.ValueJson)!,
            a.Value.ObservedAt, a.Value.UnitCode)
        {
            Members = a.Value.MembersJson is { } members ? JsonNode.Parse(members)!.AsObject() : null,
            CreatedAt = a.Value.CreatedAt,
            ModifiedAt = a.Value.ModifiedAt,
        });
        // Numeric Properties are what history keeps of a context entity, by attribute name.
        var history = entity.Attributes
            .Where(a => a.Value.Kind == ContextAttributeKind.Property && ContextEntityWrites.NumberOf(a.Value.ValueJson) is not null)
            .Select(a => new SmartDataModels.ValueMapping(a.Key, a.Key, a.Value.UnitCode)).ToList();
        return new NgsiEntity(entity.Id, entity.Type, attributes, entity.DistrictId ?? "", null)
        {
            History = new HistorySource(entity.Id, Kpis: false, history),
            CreatedAt = entity.CreatedAt,
            ModifiedAt = entity.ModifiedAt,
        };
    }

    private static AttributeKind KindOf(ContextAttributeKind kind) => kind switch
    {
        ContextAttributeKind.Relationship => AttributeKind.Relationship,
        ContextAttributeKind.GeoProperty => AttributeKind.GeoProperty,
        ContextAttributeKind.LanguageProperty => AttributeKind.LanguageProperty,
        _ => AttributeKind.Property,
    };

    /// <summary>
    /// The deepest area whose boundary holds the geometry's first position (a ward rather than its district, so that the
    /// ward's OC sees it); null when none does.
    /// </summary>
    private async Task<string?> DistrictOfAsync(string geometryJson)
    {
        if (FirstPosition(JsonNode.Parse(geometryJson)?["coordinates"]) is not { } position)
        {
            return null;
        }
        var point = GeoQuery.Parse("intersects", "Point", position.ToJsonString(), Sdm.Location);
        return (await AreasAsync()).Where(a => point.Matches(a.Area)).MaxBy(a => a.Depth).Area?.DistrictId;
    }

    private static JsonArray? FirstPosition(JsonNode? coordinates) =>
        coordinates is JsonArray { Count: > 0 } array ? array[0] is JsonArray inner ? FirstPosition(inner) : array : null;

    private async Task<List<(NgsiEntity Area, int Depth)>> AreasAsync()
    {
        var now = time.GetUtcNow();
        if (_areas is { } cached && now - cached.ReadAt < AreasRefresh)
        {
            return cached.Areas;
        }
        var districts = await Task.WhenAll((await LiveTopology.DistrictIdsAsync(grains)).Select(id => grains.GetGrain<IDistrictGrain>(id).Get()));
        var parents = districts.OfType<DistrictView>().ToDictionary(d => d.Id, d => d.ParentId, StringComparer.Ordinal);
        var areas = districts.OfType<DistrictView>().Where(d => d.Boundary is { Count: >= 3 })
            .Select(d => (SmartDataModels.AdministrativeAreaOf(d), DepthOf(d.Id, parents))).ToList();
        _areas = (now, areas);
        return areas;
    }

    /// <summary>How many areas lie above this one (bounded, should the stored parents ever form a cycle).</summary>
    private static int DepthOf(string id, Dictionary<string, string?> parents)
    {
        var depth = 0;
        for (var parent = parents.GetValueOrDefault(id); parent is not null && depth < parents.Count; parent = parents.GetValueOrDefault(parent))
        {
            depth++;
        }
        return depth;
    }
}
