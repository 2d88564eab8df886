using System.Net;
using IocTwin.Api.Access;
using IocTwin.Tests.Api;

namespace IocTwin.Tests.Scopes;

/// <summary>
/// Acknowledging or resolving an alert by an odd id is a 4xx: 400 naming the id when it cannot be one, 404 when it could
/// be one (district ids may hold ':' and '.') but is unknown; paths the server refuses before routing are 4xx too.
/// </summary>
[Collection(ScopesCollection.Name)]
public sealed class AlertIdTests(ScopesTwinFactory api)
{
    public static TheoryData<string> MalformedIds => new()
    {
        "hai-chau",
        "hai-chau:",
        ":0123456789ab",
        "hai-chau:xyz",
        "hai-chau:0123456789abc",
        "a:b:c:d",
        "hải-châu:0123456789ab",
        "hai-chau:0123456789AB",
        "%E2%80%AE:0123456789ab",
        new string('x', 200) + ":0123456789ab",
        new string('a', 4000),
    };

    [Theory]
    [MemberData(nameof(MalformedIds))]
    public async Task A_malformed_alert_id_is_a_400_naming_the_id(string id)
    {
        foreach (var action in new[] { "ack", "resolve" })
        {
            var response = await api.Http.PostAsync($"/api/v1/alerts/{id}/{action}", null);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("id", await response.ProblemFields());
        }
    }

    [Theory]
    [InlineData("hai-chau:0123456789ab")]
    [InlineData("atlantis:0123456789ab")]
    [InlineData("a:b:0123456789ab")]
    [InlineData("..:0123456789ab")]
    [InlineData("hai-chau::0123456789ab")]
    public async Task A_well_formed_unknown_alert_id_is_a_404(string id)
    {
        using var oc = api.Operator("Hai Chau desk", TwinRoles.DistrictOc, districts: ["hai-chau"]);
        foreach (var client in new[] { api.Http, oc })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/alerts/{id}/ack", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/v1/alerts/{id}/resolve", null)).StatusCode);
        }
    }

    [Theory]
    [InlineData("/api/v1/alerts//ack")]
    [InlineData("/api/v1/alerts/%2F/ack")]
    [InlineData("/api/v1/alerts/a%2Fb/resolve")]
    [InlineData("/api/v1/alerts/%2E%2E/ack")]
    [InlineData("/api/v1/alerts/../ack")]
    [InlineData("/api/v1/alerts/%00/ack")]
    [InlineData("/api/v1/alerts/hai-chau%00:0123456789ab/resolve")]
    public async Task Odd_paths_to_an_alert_are_4xx(string path)
    {
        var response = await api.Http.PostAsync(path, null);

        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Fact]
    public async Task A_ten_thousand_character_id_is_a_4xx()
    {
        var response = await api.Http.PostAsync($"/api/v1/alerts/{new string('x', 10_000)}:0123456789ab/ack", null);

        Assert.InRange((int)response.StatusCode, 400, 499);
    }
}
