using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;

namespace IocTwin.Tests.NgsiLd;

public sealed class LdContextTests
{
    private static readonly JsonObject Core = JsonNode.Parse("""
        { "ngsi-ld": "https://uri.etsi.org/ngsi-ld/", "id": "@id", "type": "@type",
          "Property": "ngsi-ld:Property", "location": "ngsi-ld:location",
          "@vocab": "https://uri.etsi.org/ngsi-ld/default-context/" }
        """)!.AsObject();

    private static readonly JsonObject City = JsonNode.Parse("""
        { "tm": "https://city.example/terms#", "Counter": "tm:Counter", "speed": { "@id": "tm:speed" }, "location": "tm:where" }
        """)!.AsObject();

    [Fact]
    public void Terms_prefixes_and_vocab_expand_and_compact_back()
    {
        var context = LdContext.Merge([("city", City), ("core", Core)]);
        Assert.Equal("https://city.example/terms#Counter", context.Expand("Counter"));
        Assert.Equal("https://city.example/terms#speed", context.Expand("speed"));
        Assert.Equal("https://city.example/terms#other", context.Expand("tm:other"));
        Assert.Equal("https://uri.etsi.org/ngsi-ld/Property", context.Expand("Property"));
        Assert.Equal("https://uri.etsi.org/ngsi-ld/default-context/unknown", context.Expand("unknown"));
        Assert.Equal("urn:ngsi-ld:Thing:1", context.Expand("urn:ngsi-ld:Thing:1"));
        Assert.Equal("https://example.org/Full", context.Expand("https://example.org/Full"));

        Assert.Equal("Counter", context.Compact("https://city.example/terms#Counter"));
        Assert.Equal("unknown", context.Compact("https://uri.etsi.org/ngsi-ld/default-context/unknown"));
        Assert.Equal("https://example.org/Full", context.Compact("https://example.org/Full"));
    }

    [Fact]
    public void The_core_context_applied_last_keeps_its_terms()
    {
        var context = LdContext.Merge([("city", City), ("core", Core)]);
        Assert.Equal("https://uri.etsi.org/ngsi-ld/location", context.Expand("location"));
        Assert.Equal("location", context.Compact("https://uri.etsi.org/ngsi-ld/location"));
    }

    [Fact]
    public void A_short_name_under_one_context_is_the_full_iri_under_another()
    {
        var city = LdContext.Merge([("city", City), ("core", Core)]);
        var coreOnly = LdContext.Merge([("core", Core)]);
        Assert.Equal(city.Expand("Counter"), coreOnly.Expand("https://city.example/terms#Counter"));
        Assert.NotEqual(city.Expand("Counter"), coreOnly.Expand("Counter"));
        Assert.Equal("https://city.example/terms#Counter", coreOnly.Compact(city.Expand("Counter")));
    }
}
