using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Query;

namespace IocTwin.Tests.NgsiLd;

public sealed class QueryParserTests
{
    private const string Vocab = "https://example.org/";
    private static readonly DateTimeOffset Observed = new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);

    private static string Expand(string name) => name switch
    {
        "observedAt" => Sdm.ObservedAt,
        "unitCode" => Sdm.UnitCode,
        _ when name.Contains("://") => name,
        _ => Vocab + name,
    };

    private static readonly NgsiEntity Road = new("urn:ngsi-ld:Thing:1", Vocab + "Thing", new Dictionary<string, NgsiAttribute>
    {
        [Vocab + "speed"] = NgsiAttribute.Property(42, Observed, "KMH"),
        [Vocab + "name"] = NgsiAttribute.Property("Cầu Rồng"),
        [Vocab + "status"] = NgsiAttribute.Property("open"),
        [Vocab + "congested"] = NgsiAttribute.Property(false),
        [Vocab + "tags"] = NgsiAttribute.Property(new JsonArray("bridge", "river")),
        [Vocab + "address"] = NgsiAttribute.Property(new JsonObject { ["addressLocality"] = "Đà Nẵng", ["postal"] = new JsonObject { ["code"] = 550000 } }),
        [Vocab + "dateObserved"] = NgsiAttribute.DateTime(Observed),
        [Vocab + "refRoadSegment"] = NgsiAttribute.Relationship("urn:ngsi-ld:RoadSegment:s1"),
    }, "d", null);

    private static bool Eval(string q) => QueryParser.Parse(q, Expand, TimeSpan.FromMilliseconds(100)).Matches(Road);

    [Theory]
    [InlineData("speed>40", true)]
    [InlineData("speed>42", false)]
    [InlineData("speed>=42;speed<=42", true)]
    [InlineData("speed<42", false)]
    [InlineData("speed==42", true)]
    [InlineData("speed!=42", false)]
    [InlineData("speed==40..45", true)]
    [InlineData("speed==43..45", false)]
    [InlineData("speed!=43..45", true)]
    [InlineData("speed==1,2,42", true)]
    [InlineData("speed!=1,2,3", true)]
    [InlineData("status==\"open\",\"closed\"", true)]
    [InlineData("status==\"closed\"", false)]
    [InlineData("congested==false", true)]
    [InlineData("name~=\"^Cầu\"", true)]
    [InlineData("name~=\"(?i)^cầu r\"", true)]
    [InlineData("name!~=\"^Cầu\"", false)]
    [InlineData("status==\"closed\"|speed<50", true)]
    [InlineData("status==\"closed\";speed>100|speed==42", true)]
    [InlineData("status==\"closed\";(speed>100|speed==42)", false)]
    [InlineData("(status==\"closed\"|speed<50);name!=\"x\"", true)]
    [InlineData("speed", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!speed", false)]
    [InlineData("missing>1", false)]
    [InlineData("address[addressLocality]==\"Đà Nẵng\"", true)]
    [InlineData("address[postal][code]==550000", true)]
    [InlineData("address[postal.code]>=550001", false)]
    [InlineData("address[nowhere]==1", false)]
    [InlineData("speed.observedAt>=2026-03-01T08:00:00Z", true)]
    [InlineData("speed.observedAt>2026-03-01T09:00:00Z", false)]
    [InlineData("speed.unitCode==\"KMH\"", true)]
    [InlineData("dateObserved==2026-03-01T00:00:00Z..2026-03-02T00:00:00Z", true)]
    [InlineData("dateObserved<2026-01-01T00:00:00Z", false)]
    [InlineData("tags==\"river\"", true)]
    [InlineData("refRoadSegment==\"urn:ngsi-ld:RoadSegment:s1\"", true)]
    [InlineData("refRoadSegment==urn:ngsi-ld:RoadSegment:s2", false)]
    [InlineData("https://example.org/speed>41", true)]
    [InlineData("speed==\"42\"", false)]
    public void Evaluates_the_query_language(string q, bool expected) => Assert.Equal(expected, Eval(q));

    [Theory]
    [InlineData("")]
    [InlineData("speed>>1")]
    [InlineData("(speed>1")]
    [InlineData("speed>1)")]
    [InlineData("speed>1,2")]
    [InlineData("speed>1..2")]
    [InlineData("speed==\"open")]
    [InlineData("name~=\"(\"")]
    [InlineData("speed>")]
    [InlineData("!speed==1")]
    [InlineData("address[a==1")]
    [InlineData(";speed")]
    [InlineData("speed=1")]
    public void Refuses_what_is_not_the_query_language(string q)
    {
        var error = Assert.Throws<NgsiLdRequestException>(() => QueryParser.Parse(q, Expand, TimeSpan.FromMilliseconds(100)));
        Assert.StartsWith("q", error.Message);
    }

    [Fact]
    public void Expands_attribute_names_with_the_given_context_but_not_compound_members()
    {
        var comparison = Assert.IsType<Comparison>(QueryParser.Parse("address[addressLocality]==\"x\"", Expand, TimeSpan.FromSeconds(1)));
        Assert.Equal(Vocab + "address", comparison.Path.Attribute);
        Assert.Equal(["addressLocality"], comparison.Path.Members);
    }
}
