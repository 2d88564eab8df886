using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Grains;
using IocTwin.Model;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Context entities read from NGSI-LD bodies and changed by the write operations of GS CIM 009 clause 5.6.</summary>
public sealed class ContextEntityWritesTests
{
    private const string Vocab = "https://vocab.example/";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly LdContext Context = LdContext.Merge([("test", JsonNode.Parse($$"""
        { "ngsi-ld": "https://uri.etsi.org/ngsi-ld/", "location": "ngsi-ld:location", "@vocab": "{{Vocab}}" }
        """)!.AsObject())]);

    private static ParsedEntity Parse(string json, bool allowDeletes = false) =>
        ContextEntityParser.Entity(JsonNode.Parse(json)!.AsObject(), Context, Now, requireIdAndType: false, allowDeletes);

    private static ContextEntity Create(string json)
    {
        var parsed = Parse(json);
        return ContextEntityWrites.Apply(parsed.Id!, null, Write(ContextWriteMode.Create, parsed), Now.AddMinutes(-10)).Entity!;
    }

    private static ContextEntityWrite Write(ContextWriteMode mode, ParsedEntity parsed, string? attribute = null) =>
        new(mode, parsed.Type, parsed.Attributes, attribute, null, false);

    [Fact]
    public void Normalized_and_concise_attributes_are_read_with_expanded_names()
    {
        var parsed = Parse("""
            { "id": "urn:ngsi-ld:Kiosk:1", "type": "Kiosk",
              "temperature": { "type": "Property", "value": 21.5, "observedAt": "2026-12-06T08:00:00Z", "unitCode": "CEL",
                               "accuracy": { "type": "Property", "value": 0.1 } },
              "open": true,
              "owner": { "object": "urn:ngsi-ld:Organization:city" },
              "label": { "languageMap": { "vi": "Ki-ốt" } },
              "location": { "type": "Point", "coordinates": [108.2, 16.05] } }
            """);

        Assert.Equal(Vocab + "Kiosk", parsed.Type);
        var temperature = parsed.Attributes[Vocab + "temperature"]!;
        Assert.Equal((ContextAttributeKind.Property, "21.5", "CEL"), (temperature.Kind, temperature.ValueJson, temperature.UnitCode));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero), temperature.ObservedAt);
        Assert.Contains(Vocab + "accuracy", temperature.MembersJson);
        Assert.Equal("true", parsed.Attributes[Vocab + "open"]!.ValueJson);
        Assert.Equal(ContextAttributeKind.Relationship, parsed.Attributes[Vocab + "owner"]!.Kind);
        Assert.Equal(ContextAttributeKind.LanguageProperty, parsed.Attributes[Vocab + "label"]!.Kind);
        Assert.Equal(ContextAttributeKind.GeoProperty, parsed.Attributes[ContextEntityWrites.Location]!.Kind);
    }

    [Theory]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "temperature": { "type": "Property" } }""", "temperature")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "owner": { "type": "Relationship", "object": "not a uri" } }""", "owner")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [200, 16] } } }""", "location")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": { "type": "Property", "value": 1, "datasetId": "dataset a" } }""", "datasetId")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": [1, 2] }""", "each instance")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": [] }""", "empty array")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": [{ "value": 1 }, { "value": 2 }] }""", "without datasetId")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": [{ "value": 1, "datasetId": "urn:a" }, { "value": 2, "datasetId": "urn:a" }] }""", "twice")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "tags": { "type": "ListProperty", "valueList": "a" } }""", "valueList")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "feeds": { "type": "ListRelationship", "objectList": [{ "object": "urn:a" }, { "object": "pump b" }] } }""", "objectList[1]")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "feeds": { "objectList": { "object": "urn:a" } } }""", "feeds")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "kind": { "type": "VocabProperty", "vocab": 3 } }""", "vocab")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": { "type": "Property", "value": 1, "observedAt": "2026-12-06" } }""", "observedAt")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": { "type": "Property", "value": 1, "observedAt": "2026-12-09T00:00:00Z" } }""", "ahead")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": { "type": "Quantity", "value": 1 } }""", "Quantity")]
    [InlineData("""{ "id": "urn:ngsi-ld:K:1", "level": "urn:ngsi-ld:null" }""", "merge")]
    [InlineData("""{ "id": "kiosk 1" }""", "id")]
    public void A_bad_attribute_is_refused_naming_what_is_wrong(string json, string named)
    {
        var refused = Assert.Throws<NgsiLdRequestException>(() => Parse(json));
        Assert.Contains(named, refused.Message);
    }

    [Fact]
    public void Merge_changes_the_members_given_and_deletes_with_the_null_marker()
    {
        var entity = Create("""{ "id": "urn:ngsi-ld:K:1", "type": "K", "a": { "type": "Property", "value": 1, "unitCode": "CEL" }, "b": 2 }""");

        var result = ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.Merge,
            Parse("""{ "a": { "value": 5 }, "b": "urn:ngsi-ld:null", "c": 3 }""", allowDeletes: true)), Now);

        var merged = result.Entity!;
        Assert.Equal("5", merged.Attributes[Vocab + "a"].ValueJson);
        Assert.Equal("CEL", merged.Attributes[Vocab + "a"].UnitCode);
        Assert.Equal(entity.Attributes[Vocab + "a"].CreatedAt, merged.Attributes[Vocab + "a"].CreatedAt);
        Assert.False(merged.Attributes.ContainsKey(Vocab + "b"));
        Assert.Equal("3", merged.Attributes[Vocab + "c"].ValueJson);
        Assert.Equal(Now, merged.ModifiedAt);
        Assert.Equal(entity.CreatedAt, merged.CreatedAt);
        Assert.Equal([Vocab + "a", Vocab + "b", Vocab + "c"], result.Changed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Update_and_append_without_overwrite_leave_attributes_alone_and_say_why()
    {
        var entity = Create("""{ "id": "urn:ngsi-ld:K:1", "type": "K", "a": 1 }""");

        var update = ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.Update, Parse("""{ "a": 2, "b": 3 }""")), Now);
        var append = ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.AppendNoOverwrite, Parse("""{ "a": 2, "b": 3 }""")), Now);

        Assert.Equal([Vocab + "b"], update.Outcome.NotUpdated.Keys);
        Assert.Equal("2", update.Entity!.Attributes[Vocab + "a"].ValueJson);
        Assert.False(update.Entity.Attributes.ContainsKey(Vocab + "b"));
        Assert.Equal([Vocab + "a"], append.Outcome.NotUpdated.Keys);
        Assert.Equal("1", append.Entity!.Attributes[Vocab + "a"].ValueJson);
        Assert.Equal("3", append.Entity.Attributes[Vocab + "b"].ValueJson);
    }

    [Fact]
    public void Writes_that_cannot_apply_change_nothing()
    {
        var entity = Create("""{ "id": "urn:ngsi-ld:K:1", "type": "K", "a": 1 }""");

        Assert.Equal(ContextWriteStatus.AlreadyExists, ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.Create, Parse("""{ "type": "K" }""")), Now).Outcome.Status);
        Assert.Equal(ContextWriteStatus.TypeMismatch, ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.Replace, Parse("""{ "type": "L" }""")), Now).Outcome.Status);
        Assert.Equal(ContextWriteStatus.NotFound, ContextEntityWrites.Apply(entity.Id, null, Write(ContextWriteMode.Merge, Parse("""{ "a": 2 }""")), Now).Outcome.Status);
        Assert.Equal(ContextWriteStatus.NotFound,
            ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.DeleteAttribute, Parse("{}"), Vocab + "b"), Now).Outcome.Status);
        Assert.Null(ContextEntityWrites.Apply(entity.Id, entity, Write(ContextWriteMode.Update, Parse("""{ "b": 2 }""")), Now).Change);
    }

    [Fact]
    public void Numeric_observations_become_history_readings_one_per_observed_time()
    {
        var parsed = Parse("""
            { "a": { "type": "Property", "value": 1.5, "observedAt": "2026-12-06T08:00:00Z" },
              "b": { "type": "Property", "value": 7, "observedAt": "2026-12-06T08:00:00Z" },
              "c": { "type": "Property", "value": 3, "observedAt": "2026-12-06T08:05:00Z" },
              "text": { "type": "Property", "value": "high", "observedAt": "2026-12-06T08:00:00Z" },
              "unobserved": 4 }
            """);

        var readings = ContextEntityWrites.Observations("urn:ngsi-ld:K:1", Write(ContextWriteMode.Append, parsed));

        Assert.Equal(2, readings.Count);
        Assert.All(readings, r => Assert.Equal("urn:ngsi-ld:K:1", r.SensorId));
        var eight = readings.Single(r => r.Reading.Timestamp.Minute == 0).Reading.Values;
        Assert.Equal(new Dictionary<string, double> { [Vocab + "a"] = 1.5, [Vocab + "b"] = 7 }, eight);
    }

    [Fact]
    public void The_district_follows_the_location()
    {
        var entity = Create("""{ "id": "urn:ngsi-ld:K:1", "type": "K", "location": { "type": "Point", "coordinates": [108.2, 16.05] } }""");
        var placed = ContextEntityWrites.Apply(entity.Id, entity,
            new ContextEntityWrite(ContextWriteMode.Append, null, Parse("""{ "location": { "type": "Point", "coordinates": [108.2, 16.05] } }""").Attributes, null, "hai-chau", true), Now).Entity!;
        var kept = ContextEntityWrites.Apply(entity.Id, placed, Write(ContextWriteMode.Append, Parse("""{ "a": 1 }""")), Now).Entity!;
        var removed = ContextEntityWrites.Apply(entity.Id, kept, Write(ContextWriteMode.DeleteAttribute, Parse("{}"), ContextEntityWrites.Location), Now).Entity!;

        Assert.Equal("hai-chau", placed.DistrictId);
        Assert.Equal("hai-chau", kept.DistrictId);
        Assert.Null(removed.DistrictId);
    }
}
