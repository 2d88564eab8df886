using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// Multi-attributes (several instances of one attribute told apart by datasetId, GS CIM 009 clause 4.5.5) and the
/// ListProperty, JsonProperty and VocabProperty attribute types, as read, written and rendered for context entities.
/// </summary>
public sealed class ContextEntityInstancesTests
{
    private const string Vocab = "https://vocab.example/";
    private const string Level = Vocab + "level";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly LdContext Context = LdContext.Merge([("test", JsonNode.Parse($$"""
        { "ngsi-ld": "https://uri.etsi.org/ngsi-ld/", "@vocab": "{{Vocab}}", "Red": "https://colours.example/Red" }
        """)!.AsObject())]);

    private static ParsedEntity Parse(string json) =>
        ContextEntityParser.Entity(JsonNode.Parse(json)!.AsObject(), Context, Now, requireIdAndType: false);

    private static ContextEntity Create(string json)
    {
        var parsed = Parse(json);
        return Apply(null, ContextWriteMode.Create, parsed).Entity!;
    }

    private static ContextWriteResult Apply(ContextEntity? entity, ContextWriteMode mode, ParsedEntity parsed, string? attribute = null,
        string? datasetId = null, bool all = false) =>
        ContextEntityWrites.Apply("urn:ngsi-ld:Tank:1", entity, new ContextEntityWrite(mode, parsed.Type, parsed.Attributes, attribute, null, false)
        {
            DatasetId = datasetId,
            AllInstances = all,
        }, Now);

    private static JsonObject Render(ContextEntity entity, EntityFormat format = EntityFormat.Normalized) =>
        EntityRenderer.Render(ContextEntityStore.ToNgsi(entity), new RenderOptions(format, false, null), Context);

    private static ContextEntity TwoLevels() => Create("""
        { "id": "urn:ngsi-ld:Tank:1", "type": "Tank",
          "level": [ { "type": "Property", "value": 3.5 },
                     { "type": "Property", "value": 3.1, "datasetId": "urn:ngsi-ld:Dataset:radar" } ] }
        """);

    private static Dictionary<string, double> Levels(ContextEntity entity) => entity.Attributes[Level].Instances
        .ToDictionary(i => i.DatasetId ?? "default", i => double.Parse(i.ValueJson, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_multi_attribute_is_kept_and_rendered_with_each_instance_and_its_datasetId()
    {
        var entity = TwoLevels();

        Assert.Equal(new Dictionary<string, double> { ["default"] = 3.5, ["urn:ngsi-ld:Dataset:radar"] = 3.1 }, Levels(entity));
        var normalized = Render(entity)["level"]!.AsArray();
        Assert.Equal(2, normalized.Count);
        Assert.Null(normalized[0]!["datasetId"]);
        Assert.Equal("urn:ngsi-ld:Dataset:radar", (string)normalized[1]!["datasetId"]!);
        Assert.Equal(3.1, (double)normalized[1]!["value"]!);
        var keyValues = Render(entity, EntityFormat.KeyValues)["level"]!["dataset"]!;
        Assert.Equal(3.5, (double)keyValues["@none"]!);
        Assert.Equal(3.1, (double)keyValues["urn:ngsi-ld:Dataset:radar"]!);
    }

    [Fact]
    public void Append_overwrites_the_instance_of_the_same_datasetId_and_adds_a_new_one()
    {
        var appended = Apply(TwoLevels(), ContextWriteMode.Append, Parse("""
            { "level": [ { "value": 3.3, "datasetId": "urn:ngsi-ld:Dataset:radar" }, { "value": 2.9, "datasetId": "urn:ngsi-ld:Dataset:float" } ] }
            """)).Entity!;

        Assert.Equal(new Dictionary<string, double>
        {
            ["default"] = 3.5, ["urn:ngsi-ld:Dataset:radar"] = 3.3, ["urn:ngsi-ld:Dataset:float"] = 2.9,
        }, Levels(appended));
    }

    [Fact]
    public void Update_leaves_a_datasetId_the_attribute_does_not_have_and_says_so()
    {
        var result = Apply(TwoLevels(), ContextWriteMode.Update, Parse("""
            { "level": { "value": 9, "datasetId": "urn:ngsi-ld:Dataset:float" } }
            """));

        Assert.Contains("urn:ngsi-ld:Dataset:float", result.Outcome.NotUpdated[Level]);
        Assert.Equal(new Dictionary<string, double> { ["default"] = 3.5, ["urn:ngsi-ld:Dataset:radar"] = 3.1 }, Levels(result.Entity!));
    }

    [Fact]
    public void A_partial_update_changes_the_instance_its_datasetId_names()
    {
        var fragment = ContextEntityParser.Fragment("level", JsonNode.Parse("""{ "value": 4.0, "datasetId": "urn:ngsi-ld:Dataset:radar" }""")!.AsObject(), Context, Now);
        var updated = Apply(TwoLevels(), ContextWriteMode.UpdateAttribute, new ParsedEntity(null, null, new() { [Level] = fragment }), Level).Entity!;
        Assert.Equal(new Dictionary<string, double> { ["default"] = 3.5, ["urn:ngsi-ld:Dataset:radar"] = 4.0 }, Levels(updated));

        var missing = ContextEntityParser.Fragment("level", JsonNode.Parse("""{ "value": 4.0, "datasetId": "urn:ngsi-ld:Dataset:none" }""")!.AsObject(), Context, Now);
        var refused = Apply(TwoLevels(), ContextWriteMode.UpdateAttribute, new ParsedEntity(null, null, new() { [Level] = missing }), Level);
        Assert.Equal(ContextWriteStatus.NotFound, refused.Outcome.Status);
    }

    [Fact]
    public void Delete_takes_the_default_instance_one_by_datasetId_or_all()
    {
        var none = new ParsedEntity(null, null, []);
        var withoutDefault = Apply(TwoLevels(), ContextWriteMode.DeleteAttribute, none, Level).Entity!;
        Assert.Equal(new Dictionary<string, double> { ["urn:ngsi-ld:Dataset:radar"] = 3.1 }, Levels(withoutDefault));

        var withoutRadar = Apply(TwoLevels(), ContextWriteMode.DeleteAttribute, none, Level, "urn:ngsi-ld:Dataset:radar").Entity!;
        Assert.Equal(new Dictionary<string, double> { ["default"] = 3.5 }, Levels(withoutRadar));
        Assert.IsType<JsonObject>(Render(withoutRadar)["level"]);

        Assert.False(Apply(TwoLevels(), ContextWriteMode.DeleteAttribute, none, Level, all: true).Entity!.Attributes.ContainsKey(Level));
        Assert.Equal(ContextWriteStatus.NotFound,
            Apply(withoutDefault, ContextWriteMode.DeleteAttribute, none, Level).Outcome.Status);
    }

    [Fact]
    public void History_keeps_the_default_instance_only()
    {
        var parsed = Parse("""
            { "level": [ { "value": 3.5, "observedAt": "2026-12-06T08:00:00Z" },
                         { "value": 3.1, "observedAt": "2026-12-06T08:00:00Z", "datasetId": "urn:ngsi-ld:Dataset:radar" } ] }
            """);

        var (_, reading) = Assert.Single(ContextEntityWrites.Observations("urn:ngsi-ld:Tank:1",
            new ContextEntityWrite(ContextWriteMode.Append, null, parsed.Attributes, null, null, false)));
        Assert.Equal(3.5, reading.Values[Level]);
    }

    [Fact]
    public void List_json_and_vocab_properties_are_kept_and_written_back()
    {
        var entity = Create("""
            { "id": "urn:ngsi-ld:Tank:1", "type": "Tank",
              "readings": { "type": "ListProperty", "valueList": [3, 2, 1] },
              "config": { "type": "JsonProperty", "json": { "@id": "not expanded", "limits": [1, 2] } },
              "colour": { "type": "VocabProperty", "vocab": "Red" },
              "tags": { "vocab": ["Red", "https://other.example/Blue"] } }
            """);

        Assert.Equal(ContextAttributeKind.ListProperty, entity.Attributes[Vocab + "readings"].Kind);
        Assert.Equal(ContextAttributeKind.JsonProperty, entity.Attributes[Vocab + "config"].Kind);
        Assert.Equal("\"https://colours.example/Red\"", entity.Attributes[Vocab + "colour"].ValueJson);
        var normalized = Render(entity);
        Assert.Equal("ListProperty", (string)normalized["readings"]!["type"]!);
        Assert.Equal("[3,2,1]", normalized["readings"]!["valueList"]!.ToJsonString());
        Assert.Equal("not expanded", (string)normalized["config"]!["json"]!["@id"]!);
        Assert.Equal("Red", (string)normalized["colour"]!["vocab"]!);
        Assert.Equal("""["Red","https://other.example/Blue"]""", normalized["tags"]!["vocab"]!.ToJsonString());
        var concise = Render(entity, EntityFormat.Concise);
        Assert.Equal("""{"valueList":[3,2,1]}""", concise["readings"]!.ToJsonString());
        Assert.Equal("""{"vocab":"Red"}""", concise["colour"]!.ToJsonString());
        Assert.Equal("Red", (string)Render(entity, EntityFormat.KeyValues)["colour"]!);
    }
}
