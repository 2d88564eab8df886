using System.Net;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>A bare production twin: no sample city, so a test's own entities are all there is.</summary>
public sealed class BareProductionTwin() : ProductionTwinHost(seedSampleCity: false)
{
    protected override IReadOnlyDictionary<string, string?> Changes { get; } = new Dictionary<string, string?>();
}

/// <summary>
/// Bodies bound to typed request records: in Production too, a body of the wrong shape is a 400 ProblemDetails naming
/// what is wrong, never an empty 400 or a 500, and nothing changes.
/// </summary>
public sealed class TypedBodyTests(BareProductionTwin api) : IClassFixture<BareProductionTwin>
{
    private HttpClient Http => api.Http;

    [Theory]
    [InlineData("""{ "name": "Hot air", "metric": "aqi", "threshold": "150" }""", "threshold")]
    [InlineData("""{ "name": "Hot air", "metric": "aqi", "threshold": 150, "kind": "laser-beam" }""", "kind")]
    [InlineData("""{ not json""", "body")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    public async Task A_rule_of_the_wrong_shape_is_a_400_naming_the_field_and_is_not_kept(string json, string field)
    {
        var id = $"rule-{Guid.NewGuid():N}"[..16];

        var response = await Http.PutJson($"/api/v1/alert-rules/{id}", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], await response.ProblemFields());
        Assert.DoesNotContain(id, await Http.GetStringAsync("/api/v1/alert-rules"));
    }

    [Theory]
    [InlineData("""{ "name": "Cẩm Lệ", "boundary": "here" }""", "boundary")]
    [InlineData("""{ "name": "Cẩm Lệ", "boundary": [[108.2, 16.0], [108.3]] }""", "boundary[1]")]
    [InlineData("""[1, 2]""", "body")]
    public async Task A_district_of_the_wrong_shape_is_a_400_naming_the_field_and_is_not_registered(string json, string field)
    {
        var id = $"d-{Guid.NewGuid():N}"[..12];

        var response = await Http.PutJson($"/api/v1/districts/{id}", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ProblemFields());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/districts/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_well_formed_rule_is_kept()
    {
        var id = $"rule-{Guid.NewGuid():N}"[..16];

        var response = await Http.PutJson($"/api/v1/alert-rules/{id}", """{ "name": "Hot air", "metric": "aqi", "threshold": 150 }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(id, await Http.GetStringAsync("/api/v1/alert-rules"));
    }
}
