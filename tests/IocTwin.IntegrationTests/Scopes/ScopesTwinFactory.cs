using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Domain;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.Scopes;

/// <summary>
/// A twin of its own with small caps (2 scenarios per creator, 6 in all; 1 run per creator, 2 at once; two alert rules
/// beyond the defaults), so that tests reach them quickly. Its tests run one at a time and leave no scenario behind.
/// </summary>
public class ScopesTwinFactory : TwinApiFactory
{
    public const int ScenariosPerCreator = 2;
    public const int ScenariosInAll = 6;
    public static readonly int MaxRules = AlertEvaluator.DefaultRules.Count + 2;

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Scenarios:MaxPerCreator"] = ScenariosPerCreator.ToString();
            settings["Scenarios:MaxTotal"] = ScenariosInAll.ToString();
            settings["Scenarios:MaxConcurrentRunsPerCreator"] = "1";
            settings["Scenarios:MaxConcurrentRuns"] = "2";
            settings["Scenarios:RetryAfter"] = "00:00:07";
            settings["AlertRules:MaxRules"] = MaxRules.ToString();
            return settings;
        }
    }

    /// <summary>A token for a named operator: scenarios are their creator's, and the audit names who acted.</summary>
    public string NamedToken(string name, string role, string[]? districts = null, string[]? sectors = null) =>
        Services.GetRequiredService<TokenIssuer>().Issue(name, role, districts ?? [], sectors ?? [], TimeSpan.FromHours(1));

    public HttpClient Operator(string name, string role, string[]? districts = null, string[]? sectors = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", NamedToken(name, role, districts, sectors));
        client.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, IngestApiKey);
        return client;
    }

    public async Task<HubConnection> Screen(string token)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(Http.BaseAddress!, "/hubs/twin"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddJsonProtocol(o => TwinJson.Configure(o.PayloadSerializerOptions))
            .Build();
        await hub.StartAsync();
        return hub;
    }

    /// <summary>Creates a scenario as the client's operator and answers its id.</summary>
    public static async Task<string> CreateScenario(HttpClient client, string name = "what if", int horizon = 60, int step = 60, string model = "static")
    {
        var response = await client.PostJson("/api/v1/scenarios",
            $$"""{ "name": "{{name}}", "horizonMinutes": {{horizon}}, "stepSeconds": {{step}}, "model": "{{model}}" }""");
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.ReadObject())["id"]!;
    }

    public static async Task<JsonObject> RunToEnd(HttpClient client, string id)
    {
        var run = await client.PostAsync($"/api/v1/scenarios/{id}/run", null);
        Assert.True(run.StatusCode == System.Net.HttpStatusCode.Accepted, await run.Content.ReadAsStringAsync());
        return await Eventually.Until(async () => await (await client.GetAsync($"/api/v1/scenarios/{id}")).ReadObject(),
            s => (string)s["status"]! is "completed" or "failed", TimeSpan.FromSeconds(120), "the scenario run ends");
    }

    /// <summary>Deletes every scenario, so each test starts from none.</summary>
    public async Task DeleteAllScenarios()
    {
        foreach (var scenario in await Http.GetFromJsonAsync<List<JsonObject>>("/api/v1/scenarios", TwinJson.Options) ?? [])
        {
            await Http.DeleteAsync($"/api/v1/scenarios/{(string)scenario["id"]!}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ScopesCollection : ICollectionFixture<ScopesTwinFactory>
{
    public const string Name = "scopes";
}
