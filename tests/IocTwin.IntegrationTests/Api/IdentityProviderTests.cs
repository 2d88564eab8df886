using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>A Production twin that takes the city identity provider's tokens beside its own.</summary>
public sealed class IdentityProviderTwin : ProductionTwinHost
{
    public IdentityProviderTwin() : base(seedSampleCity: true)
    {
    }

    public TestIdentityProvider Provider { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Changes => Provider.TwinSettings();

    public override async Task InitializeAsync()
    {
        await Provider.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }

    public HttpClient Bearer(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

public sealed class IdentityProviderTests(IdentityProviderTwin api) : IClassFixture<IdentityProviderTwin>
{
    private TestIdentityProvider Provider => api.Provider;

    [Fact]
    public async Task A_district_operator_from_the_provider_sees_only_its_district()
    {
        using var oc = api.Bearer(Provider.Token(Provider.Rsa, ["offline_access", "district-operator"], districts: ["hai-chau"]));

        Assert.Equal("hai-chau", (await oc.Get<DistrictView>("/api/v1/districts/hai-chau")).Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/districts/cam-le")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.GetAsync("/api/v1/city")).StatusCode);
        Assert.All(await oc.Get<List<DistrictView>>("/api/v1/districts"), d => Assert.Equal("hai-chau", d.Id));
    }

    [Fact]
    public async Task An_ES256_token_with_a_mapped_IOC_role_sees_the_city_and_a_sector_operator_only_its_sector()
    {
        using var ioc = api.Bearer(Provider.Token(Provider.Ec, ["city-ioc"]));
        using var sector = api.Bearer(Provider.Token(Provider.Ec, ["sector-operator"], sectors: ["environment"]));

        Assert.True((await ioc.Get<CityView>("/api/v1/city")).Districts!.Count >= 7);
        var sensors = await sector.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors");
        Assert.NotEmpty(sensors);
        Assert.All(sensors, s => Assert.Equal(Sector.Environment, s.Sector));
        Assert.Equal(HttpStatusCode.Forbidden, (await sector.GetAsync("/api/v1/city")).StatusCode);
    }

    [Fact]
    public async Task The_providers_own_role_claim_is_not_taken_unmapped()
    {
        // Only the configured claim and map decide: a "role": "ioc" claim from the provider grants nothing.
        using var caller = api.Bearer(Provider.Token(Provider.Rsa, ["unmapped-group"],
            extraClaims: new Dictionary<string, object> { ["role"] = "ioc", ["district"] = "hai-chau" }));

        Assert.Equal(HttpStatusCode.Forbidden, (await caller.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await caller.GetAsync("/api/v1/districts/hai-chau")).StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_a_key_not_in_the_JWKS_is_refused()
    {
        var rogue = TestIdentityProvider.NewRsaKey("rogue");
        var impostor = TestIdentityProvider.NewRsaKey(Provider.Rsa.KeyId!);

        using var unknownKey = api.Bearer(Provider.Token(rogue, ["city-ioc"]));
        using var knownKidOtherKey = api.Bearer(Provider.Token(impostor, ["city-ioc"]));

        Assert.Equal(HttpStatusCode.Unauthorized, (await unknownKey.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await knownKidOtherKey.GetAsync("/api/v1/city")).StatusCode);
    }

    [Theory]
    [InlineData("other-app", null)]
    [InlineData(null, "/realms/other")]
    [InlineData(null, "ioctwin")]
    public async Task A_token_for_another_audience_or_from_another_issuer_is_refused(string? audience, string? issuerPath)
    {
        var issuer = issuerPath switch
        {
            null => null,
            "ioctwin" => "ioctwin", // the self-issued issuer, on a provider-signed token
            _ => $"http://127.0.0.1:{Provider.Port}{issuerPath}",
        };
        using var caller = api.Bearer(Provider.Token(Provider.Rsa, ["city-ioc"], audience: audience, issuer: issuer));

        Assert.Equal(HttpStatusCode.Unauthorized, (await caller.GetAsync("/api/v1/city")).StatusCode);
    }

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOg.c2ln")]
    [InlineData("e30.bm90IGpzb24.c2ln")]
    [InlineData("a.b.c")]
    [InlineData("not-a-token")]
    public async Task A_malformed_token_is_401_not_a_server_error(string token)
    {
        using var caller = api.Bearer(token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await caller.GetAsync("/api/v1/city")).StatusCode);
    }

    [Fact]
    public async Task After_the_provider_rotates_its_key_tokens_signed_with_the_new_key_are_accepted_and_the_removed_key_stops_working()
    {
        using var before = api.Bearer(Provider.Token(Provider.Rsa, ["city-ioc"]));
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/api/v1/city")).StatusCode);

        var rotated = Provider.RotateRsaKey("rsa-" + Guid.NewGuid().ToString("N")[..8]);
        using var after = api.Bearer(Provider.Token(rotated, ["city-ioc"]));

        // The unknown kid makes the twin read the JWKS again (at most once a RefreshInterval, here a second).
        await Eventually.Until(async () => (await after.GetAsync("/api/v1/city")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "a token signed with the rotated key is accepted");
        // RemovedKeyGrace is zero here: the key the provider withdrew is not trusted from its last good configuration.
        Assert.Equal(HttpStatusCode.Unauthorized, (await before.GetAsync("/api/v1/city")).StatusCode);
    }

    [Fact]
    public async Task The_twins_own_tokens_still_work_beside_the_providers()
    {
        using var self = api.CreateClient(TwinRoles.DistrictOc, districts: ["cam-le"]);

        Assert.Equal("cam-le", (await self.Get<DistrictView>("/api/v1/districts/cam-le")).Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await self.GetAsync("/api/v1/districts/hai-chau")).StatusCode);

        await AssertHubScope(api.Token(TwinRoles.DistrictOc, districts: ["cam-le"]), "district:cam-le", "district:hai-chau");
    }

    [Fact]
    public async Task The_hub_takes_a_provider_token_from_the_query_string_and_keeps_its_scope()
    {
        var token = Provider.Token(Provider.Rsa, ["district-operator"], districts: ["son-tra"]);

        await AssertHubScope(token, "district:son-tra", "district:hai-chau");
    }

    /// <summary>A screen with the token in the query string may subscribe to the first scope and is refused the second.</summary>
    private async Task AssertHubScope(string token, string allowed, string refused)
    {
        await using var screen = new HubConnectionBuilder()
            // As a browser sends it: in the query string, no Authorization header.
            .WithUrl(new Uri(api.Http.BaseAddress!, $"/hubs/twin?access_token={Uri.EscapeDataString(token)}"))
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();

        await screen.StartAsync();

        await screen.InvokeAsync<JsonElement>("Subscribe", allowed);
        await Assert.ThrowsAsync<HubException>(() => screen.InvokeAsync<JsonElement>("Subscribe", refused));
    }

    [Fact]
    public void A_flat_groups_claim_maps_like_nested_realm_roles()
    {
        var options = new OidcOptions
        {
            RoleClaim = "groups",
            RoleMap = new() { ["/city/wall"] = TwinRoles.Viewer, ["/city/ioc"] = TwinRoles.Ioc },
            DistrictClaim = "resource_access.ioctwin.districts",
        };
        var provider = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("groups", "/city/wall"),
            new Claim("groups", "/city/ioc"),
            new Claim("resource_access", """{"ioctwin":{"districts":["hai-chau","cam-le"]},"other":{"districts":["x"]}}""", "JSON"),
        ], "test"));

        var access = TwinAccess.From(OidcClaimMapper.Map(provider, options));

        Assert.Equal(TwinRoles.Ioc, access.Role);
        Assert.Equal(["cam-le", "hai-chau"], access.Districts.Order());
    }
}
