using System.Net;
using System.Text.Json.Nodes;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static IocTwin.Tests.NgsiLd.ContextEntityCalls;

namespace IocTwin.Tests.NgsiLd;

/// <summary>A twin that holds at most three context entities.</summary>
public sealed class CappedContextEntitiesTwinFactory : ContextEntitiesTwinFactory
{
    public const int Cap = 3;

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["NgsiLd:MaxContextEntities"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return settings;
        }
    }
}

/// <summary>
/// The cap on context entities: once the twin holds as many as it may, a create is refused with OperationNotSupported
/// and nothing is created, the entities there stay writable, and a delete makes room again.
/// </summary>
public sealed class ContextEntityCapTests(CappedContextEntitiesTwinFactory api) : IClassFixture<CappedContextEntitiesTwinFactory>
{
    private HttpClient Http => api.Http;

    private static string Lamp(string id, int level) => $$"""{ "id": "{{id}}", "type": "Lamp", "level": { "type": "Property", "value": {{level}} } }""";

    [Fact]
    public async Task A_full_twin_refuses_new_entities_single_and_batch_and_a_delete_makes_room()
    {
        var ids = Enumerable.Range(0, CappedContextEntitiesTwinFactory.Cap).Select(_ => NewId("Lamp")).ToList();
        foreach (var id in ids)
        {
            (await Http.Send(HttpMethod.Post, "/entities", Lamp(id, 1))).AssertStatus(HttpStatusCode.Created);
        }

        var extra = NewId("Lamp");
        var refused = await Http.Send(HttpMethod.Post, "/entities", Lamp(extra, 1));
        refused.AssertProblem((HttpStatusCode)422, "OperationNotSupported");
        Assert.Contains("MaxContextEntities", (string)refused.Body!["detail"]!);
        (await Http.Ngsi($"/entities/{extra}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");

        // An upsert of an entity there is still a write; of a new one, refused for that entity only.
        var (status, result, _) = await Http.NgsiWrite("/entityOperations/upsert", $"[{Lamp(ids[0], 2)}, {Lamp(extra, 2)}]");
        Assert.Equal(HttpStatusCode.MultiStatus, status);
        Assert.Equal([ids[0]], result!["success"]!.AsArray().Select(s => (string)s!));
        var error = Assert.Single(result["errors"]!.AsArray());
        Assert.Equal(extra, (string)error!["entityId"]!);
        Assert.EndsWith("OperationNotSupported", (string)error["error"]!["type"]!);
        Assert.Equal(2, (double)(await Http.Ngsi($"/entities/{ids[0]}")).Body!["level"]!["value"]!);

        (await Http.Send(HttpMethod.Delete, $"/entities/{ids[1]}")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Send(HttpMethod.Post, "/entities", Lamp(extra, 3))).AssertStatus(HttpStatusCode.Created);
        Assert.Equal(CappedContextEntitiesTwinFactory.Cap, (await Http.Entities("type=Lamp", "")).Ids().Count);
    }
}

/// <summary>
/// The context entity index was one grain before it was split into shards: entities listed there are found, queried
/// and deleted after the upgrade, each shard taking the entries that hash to it when it first wakes.
/// </summary>
public sealed class ContextEntityIndexTakeoverTests(ContextEntitiesTwinFactory api) : IClassFixture<ContextEntitiesTwinFactory>
{
    [Fact]
    public async Task Entities_listed_in_the_single_index_of_earlier_versions_are_found_after_the_upgrade()
    {
        // What an earlier version left in storage: the entities and the single index (key 0) listing them.
        var grains = api.Services.GetRequiredService<IGrainFactory>();
        var storage = api.Services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name);
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        var ids = Enumerable.Range(0, 40).Select(_ => NewId("Bench")).ToList();
        var type = "https://uri.etsi.org/ngsi-ld/default-context/Bench";
        var index = new Dictionary<string, ContextEntityEntry>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var entity = new ContextEntity(id, type, new Dictionary<string, ContextAttribute>
            {
                ["https://uri.etsi.org/ngsi-ld/default-context/seats"] = new(ContextAttributeKind.Property, "4", null, null, null, at, at),
            }, at, at, null);
            await storage.WriteStateAsync("context-entity", grains.GetGrain<IContextEntityGrain>(id).GetGrainId(),
                new GrainState<ContextEntityState>(new ContextEntityState { Entity = entity }));
            index[id] = new ContextEntityEntry(id, type, null);
        }
        await storage.WriteStateAsync("context-entity-index", grains.GetGrain<IContextEntityIndexGrain>(0).GetGrainId(),
            new GrainState<Dictionary<string, ContextEntityEntry>>(index));

        Assert.Equal(ids.Order(StringComparer.Ordinal), (await api.Http.Entities("type=Bench&limit=100", "")).Ids());
        Assert.Equal(4, (double)(await api.Http.Ngsi($"/entities/{ids[7]}")).Body!["seats"]!["value"]!);

        (await api.Http.Send(HttpMethod.Delete, $"/entities/{ids[7]}")).AssertStatus(HttpStatusCode.NoContent);
        Assert.DoesNotContain(ids[7], (await api.Http.Entities("type=Bench&limit=100", "")).Ids());
        (await api.Http.Ngsi($"/entities/{ids[7]}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }
}
