using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Apis;
using IocTwin.Api.Assets;
using Microsoft.Extensions.Options;
using IocTwin.Api.NgsiLd.Query;
using IocTwin.Api.NgsiLd.Temporal;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Entities;

/// <summary>
/// The context entities (types the twin does not model itself) as the NGSI-LD interface reads and writes them: selected
/// through the index (no grain is activated for an id that does not exist), cut to the caller's scope, and placed in
/// the district their location lies in (the deepest area of the tree <see cref="KnownEntities"/> holds, by the outlines
/// <see cref="AreaOutlines"/> reads on the same events). Scope: the ioc and viewer roles see every context entity; a
/// district OC those in its districts; a sector OC none (a context entity belongs to no sector). The index is sharded
/// by id: a read of one id asks its shard, a query every shard at once.
/// </summary>
public sealed class ContextEntityStore(IGrainFactory grains, KnownAssets assets, AreaOutlines outlines, IOptions<NgsiLdOptions> options, TimeProvider time)
{
    /// <summary>How long a count of the entities is trusted (with this process's creations and deletions added) before the shards are asked again.</summary>
    private static readonly TimeSpan CountRefresh = TimeSpan.FromSeconds(1);

    private readonly Lock _countGate = new();
    private (DateTimeOffset ReadAt, long Count)? _count;
    private (IReadOnlyList<AreaOutline> Source, List<(NgsiEntity Area, int Depth)> Areas)? _areas;

    private IContextEntityIndexShardGrain ShardOf(string id) => grains.GetGrain<IContextEntityIndexShardGrain>(ContextEntityShards.Of(id));

    private IEnumerable<IContextEntityIndexShardGrain> Shards =>
        Enumerable.Range(0, ContextEntityShards.Count).Select(shard => grains.GetGrain<IContextEntityIndexShardGrain>(shard));

    /// <summary>Whether an id or (expanded) type is one of the twin's own: its topology and readings, not a context entity.</summary>
    public static bool IsTwinOwned(string id, string? type) =>
        (NgsiLdFormat.ParseUrn(id) is var (shortType, _) && Sdm.Types.ContainsKey(shortType)) || (type is not null && Sdm.Types.Values.Contains(type));

    /// <summary>
    /// Whether the twin's own rules answer for this id, not this store: its type is one of the twin's, except for a
    /// <see cref="IsStoredVehicleAsync">Vehicle held here</see>.
    /// </summary>
    public async Task<bool> IsTwinOwnedAsync(string id) =>
        IsTwinOwned(id, null) && !(VehiclePositions.IsVehicle(id) && await IsStoredVehicleAsync(id));

    /// <summary>
    /// A Vehicle stored here as a context entity before assets became the twin's Vehicles, its id naming no registered
    /// asset: this store still reads, replaces, patches and deletes it. A registered asset of that id wins.
    /// </summary>
    public async Task<bool> IsStoredVehicleAsync(string id) =>
        NgsiLdFormat.ParseUrn(id) is var (_, assetId) && !await assets.ExistsAsync(assetId) && await ExistsAsync(id);

    public static bool CanSee(TwinAccess access, string? districtId) =>
        access.SeesEverything || (districtId is not null && access.CanSeeAllOfDistrict(districtId));

    /// <summary>Every context entity the caller may see whose type passes <paramref name="wantsType"/>.</summary>
    public async Task<List<NgsiEntity>> ReadAsync(TwinAccess access, Func<string, bool> wantsType)
    {
        var shards = await Task.WhenAll(Shards.Select(shard => shard.List()));
        var entries = shards.SelectMany(entries => entries).Where(e => wantsType(e.Type) && CanSee(access, e.DistrictId));
        var entities = await Task.WhenAll(entries.Select(e => grains.GetGrain<IContextEntityGrain>(e.Id).Get()));
        return [.. entities.OfType<ContextEntity>().Where(e => CanSee(access, e.DistrictId)).Select(ToNgsi)];
    }

    /// <summary>The context entity of that id if the caller may see it; null otherwise.</summary>
    public async Task<NgsiEntity?> ReadOneAsync(TwinAccess access, string id) =>
        await ShardOf(id).Find(id) is { } entry && CanSee(access, entry.DistrictId)
            && await grains.GetGrain<IContextEntityGrain>(id).Get() is { } entity && CanSee(access, entity.DistrictId)
            ? ToNgsi(entity)
            : null;

    public async Task<bool> ExistsAsync(string id) => await ShardOf(id).Find(id) is not null;

    /// <summary>
    /// A write to one context entity, its district found from the location it gives. A write that would create an
    /// entity while the twin holds <see cref="NgsiLdOptions.MaxContextEntities"/> is refused (<see cref="ContextWriteStatus.Full"/>).
    /// </summary>
    /// <param name="datasetId">Delete Entity Attribute: the instance to delete (null: the default one).</param>
    /// <param name="allInstances">Delete Entity Attribute: every instance (deleteAll=true).</param>
    public async Task<ContextWriteOutcome> WriteAsync(string id, ContextWriteMode mode, ParsedEntity parsed, string? attributeName = null,
        string? datasetId = null, bool allInstances = false)
    {
        var creates = mode is ContextWriteMode.Create or ContextWriteMode.UpsertReplace or ContextWriteMode.UpsertUpdate;
        if (creates && await CountAsync() >= options.Value.MaxContextEntities && !await ExistsAsync(id))
        {
            return new ContextWriteOutcome(ContextWriteStatus.Full, new Dictionary<string, string>());
        }
        // Only the default instance of location places the entity: one with a datasetId is another location, not where it is.
        var location = parsed.Attributes.GetValueOrDefault(ContextEntityWrites.Location)?.Instances.FirstOrDefault(i => i.DatasetId is null);
        var districtId = location is { Kind: ContextAttributeKind.GeoProperty, ValueJson.Length: > 0 } ? await DistrictOfAsync(location.ValueJson) : null;
        var write = new ContextEntityWrite(mode, parsed.Type, parsed.Attributes, attributeName, districtId, location is not null)
        {
            DatasetId = datasetId,
            AllInstances = allInstances,
        };
        var outcome = await grains.GetGrain<IContextEntityGrain>(id).Write(write);
        if (outcome.Status is ContextWriteStatus.Created or ContextWriteStatus.Deleted)
        {
            Counted(outcome.Status == ContextWriteStatus.Created ? 1 : -1);
        }
        return outcome;
    }

    /// <summary>
    /// How many context entities the twin holds: the shards' counts, read at most once a second, with what this process
    /// created and deleted since added. Creations racing in other processes may pass the cap by the number in flight.
    /// </summary>
    private async Task<long> CountAsync()
    {
        var now = time.GetUtcNow();
        lock (_countGate)
        {
            if (_count is { } known && now - known.ReadAt < CountRefresh)
            {
                return known.Count;
            }
        }
        var counts = await Task.WhenAll(Shards.Select(shard => shard.Count()));
        lock (_countGate)
        {
            _count = (now, counts.Sum(c => (long)c));
            return _count.Value.Count;
        }
    }

    private void Counted(int change)
    {
        lock (_countGate)
        {
            if (_count is { } known)
            {
                _count = (known.ReadAt, known.Count + change);
            }
        }
    }

    public static NgsiEntity ToNgsi(ContextEntity entity)
    {
        var attributes = entity.Attributes.ToDictionary(a => a.Key, a => ToNgsi(a.Value) with
        {
            MoreInstances = a.Value.MoreInstances is { } more ? [.. more.Select(ToNgsi)] : null,
        });
        // Numeric Properties (their default instance) are what history keeps of a context entity, by attribute name.
        var history = entity.Attributes
            .Where(a => a.Value is { Kind: ContextAttributeKind.Property, DatasetId: null } && ContextEntityWrites.NumberOf(a.Value.ValueJson) is not null)
            .Select(a => new SmartDataModels.ValueMapping(a.Key, a.Key, a.Value.UnitCode)).ToList();
        return new NgsiEntity(entity.Id, entity.Type, attributes, entity.DistrictId ?? "", null)
        {
            History = new HistorySource(entity.Id, Kpis: false, history),
            CreatedAt = entity.CreatedAt,
            ModifiedAt = entity.ModifiedAt,
        };
    }

    private static NgsiAttribute ToNgsi(ContextAttribute attribute) =>
        new(KindOf(attribute.Kind), JsonNode.Parse(attribute.ValueJson)!, attribute.ObservedAt, attribute.UnitCode)
        {
            Members = attribute.MembersJson is { } members ? JsonNode.Parse(members)!.AsObject() : null,
            CreatedAt = attribute.CreatedAt,
            ModifiedAt = attribute.ModifiedAt,
            DatasetId = attribute.DatasetId,
        };

    private static AttributeKind KindOf(ContextAttributeKind kind) => kind switch
    {
        ContextAttributeKind.Relationship => AttributeKind.Relationship,
        ContextAttributeKind.GeoProperty => AttributeKind.GeoProperty,
        ContextAttributeKind.LanguageProperty => AttributeKind.LanguageProperty,
        ContextAttributeKind.ListProperty => AttributeKind.ListProperty,
        ContextAttributeKind.JsonProperty => AttributeKind.JsonProperty,
        ContextAttributeKind.VocabProperty => AttributeKind.VocabProperty,
        ContextAttributeKind.ListRelationship => AttributeKind.ListRelationship,
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

    /// <summary>The areas with outlines as NGSI-LD entities for the geo-query, made again only when the outlines were read again.</summary>
    private async Task<List<(NgsiEntity Area, int Depth)>> AreasAsync()
    {
        var current = await outlines.GetAsync();
        if (_areas is { } cached && ReferenceEquals(cached.Source, current))
        {
            return cached.Areas;
        }
        var areas = current.Select(o => (SmartDataModels.AdministrativeAreaOf(o.Area), o.Depth)).ToList();
        _areas = (current, areas);
        return areas;
    }
}
