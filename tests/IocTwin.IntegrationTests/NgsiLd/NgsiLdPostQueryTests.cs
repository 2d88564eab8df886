using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Model;
using IocTwin.Tests.Streaming;

namespace IocTwin.Tests.NgsiLd;

/// <summary>POST /entityOperations/query: the Query in the body, its @context in the body (ld+json) or the Link header (json).</summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdPostQueryTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Post(
        string body, string mediaType, string? link = null, string query = "?limit=1000")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{NgsiLdClient.Api}/entityOperations/query{query}")
        {
            Content = new StringContent(body, Encoding.UTF8, mediaType),
        };
        if (link is not null) request.Headers.TryAddWithoutValidation("Link", link);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private async Task<List<string>> Ids(string body, string mediaType, string? link = null)
    {
        var (status, answer, _) = await Post(body, mediaType, link);
        Assert.True(status == HttpStatusCode.OK, $"{status} {answer}");
        return answer!.AsArray().Ids();
    }

    [Fact]
    public async Task The_context_comes_from_the_body_or_the_link_header_and_names_the_same_type()
    {
        var roads = (await Http.Entities("type=RoadSegment&limit=1000")).Ids();
        Assert.NotEmpty(roads);
        Assert.Equal(roads, await Ids($$"""{"type":"Query","entities":[{"type":"RoadSegment"}],"@context":"{{LdContextStore.SmartDataModelsUrl}}"}""", "application/ld+json"));
        Assert.Equal(roads, await Ids($$$"""{"type":"Query","entities":[{"type":"Street"}],"@context":{"Street":"{{{Sdm.RoadSegment}}}"}}""", "application/ld+json"));
        Assert.Equal(roads, await Ids("""{"type":"Query","entities":[{"type":"Road"}]}""", "application/json", NgsiLdClient.Link(NgsiLdTwinFactory.CityContextUrl)));
        Assert.Empty(await Ids("""{"type":"Query","entities":[{"type":"RoadSegment"}]}""", "application/json"));
    }

    [Fact]
    public async Task Q_and_geoQ_in_the_body_select_as_the_url_parameters_do()
    {
        var sensor = (await SampleReadings.AllSensors(Http)).First(s => s.Kind == SensorKind.Noise && s.Name is not null);
        var here = $"[{sensor.Location!.Value.Lon},{sensor.Location!.Value.Lat}]";
        var byUrl = (await Http.Entities($"type=Device&limit=1000&q=deviceState&georel={Uri.EscapeDataString("near;maxDistance==1500")}&geometry=Point&coordinates={Uri.EscapeDataString(here)}")).Ids();
        Assert.Contains($"urn:ngsi-ld:Device:{sensor.Id}", byUrl);
        var byBody = await Ids($$"""
            {"type":"Query","entities":[{"type":"Device"}],"q":"deviceState",
             "geoQ":{"georel":"near;maxDistance==1500","geometry":"Point","coordinates":{{here}}},
             "@context":"{{LdContextStore.SmartDataModelsUrl}}"}
            """, "application/ld+json");
        Assert.Equal(byUrl, byBody);
    }

    [Fact]
    public async Task Bad_query_bodies_are_refused()
    {
        (await Post("""{"type":"Query","entities":[{"type":"RoadSegment"}],"@context":"https://smartdatamodels.org/context.jsonld"}""", "application/ld+json", NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Post("""{"type":"Query","entities":[{"type":"RoadSegment"}]}""", "application/ld+json")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Post("""{"type":"Subscription","entities":[{"type":"RoadSegment"}]}""", "application/json")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Post("""{"type":"Query","entities":{"type":"RoadSegment"}}""", "application/json")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Post("""{"type":"Query","entities":[{"type":"RoadSegment"}],"q":"name~=\"(\""}""", "application/json")).AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        (await Post("""{"type":"Query","entities":[{"type":"Road""", "application/json")).AssertProblem(HttpStatusCode.BadRequest, "InvalidRequest");
        (await Post("""{"type":"Query","entities":[{"type":"RoadSegment"}],"@context":"https://nowhere.example/ctx.jsonld"}""", "application/ld+json"))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        (await Post("type=RoadSegment", "text/plain")).AssertProblem(HttpStatusCode.UnsupportedMediaType, "InvalidRequest");
    }
}
