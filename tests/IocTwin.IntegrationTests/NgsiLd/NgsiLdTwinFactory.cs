using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using IocTwin.Api.NgsiLd;
using IocTwin.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IocTwin.Tests.NgsiLd;

/// <summary>The sample twin with a provisioned @context folder and a named tenant, as a city would configure NGSI-LD.</summary>
public sealed class NgsiLdTwinFactory : TwinApiFactory
{
    public const string Tenant = "da-nang";
    public const string CityContextUrl = "https://contexts.city.example/ioc.jsonld";

    /// <summary>A host the twin may fetch contexts from; the stand-in below answers for it, so no request leaves the machine.</summary>
    public const string FetchableHost = "vocab.city.example";

    public ContextHostStandIn ContextHost { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
            services.AddHttpClient(nameof(LdContextStore)).ConfigurePrimaryHttpMessageHandler(() => ContextHost));
    }

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            var folder = Path.Combine(DataDirectory, "contexts");
            Directory.CreateDirectory(folder);
            // The city's own vocabulary: other short names for the same Smart Data Models IRIs.
            File.WriteAllText(Path.Combine(folder, "ioc.jsonld"), $$"""
                { "@context": { "Counter": "{{Sdm.TrafficFlowObserved}}", "speed": "{{Sdm.AverageVehicleSpeed}}", "Road": "{{Sdm.RoadSegment}}" } }
                """);
            File.WriteAllText(Path.Combine(folder, "index.json"), $$"""{ "{{CityContextUrl}}": "ioc.jsonld" }""");
            settings["NgsiLd:ContextFolder"] = folder;
            settings["NgsiLd:Tenant"] = Tenant;
            settings["NgsiLd:FetchContextHosts:0"] = FetchableHost;
            return settings;
        }
    }
}

/// <summary>Answers context fetches for <see cref="NgsiLdTwinFactory.FetchableHost"/>: one context document, 404 for any other path.</summary>
public sealed class ContextHostStandIn : HttpMessageHandler
{
    public const string Path = "/traffic.jsonld";
    private int _requests;

    public int Requests => _requests;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (request.RequestUri!.Host != NgsiLdTwinFactory.FetchableHost || request.RequestUri.AbsolutePath != Path)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }
        var document = $$"""{ "@context": { "Lane": "{{Sdm.RoadSegment}}" } }""";
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(document, System.Text.Encoding.UTF8, "application/ld+json") });
    }
}

[CollectionDefinition(Name)]
public sealed class NgsiLdCollection : ICollectionFixture<NgsiLdTwinFactory>
{
    public const string Name = "ngsi-ld twin";
}

/// <summary>NGSI-LD calls as a FIWARE client makes them.</summary>
public static class NgsiLdClient
{
    public const string Api = "/ngsi-ld/v1";

    public static string Link(string url) => $"<{url}>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";

    public static readonly string SdmLink = Link(LdContextStore.SmartDataModelsUrl);

    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Ngsi(
        this HttpClient http, string path, string? link = null, string? accept = null, string? tenant = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Api + path);
        if (!string.IsNullOrEmpty(link)) request.Headers.TryAddWithoutValidation("Link", link);
        if (accept is not null) request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        if (tenant is not null) request.Headers.Add("NGSILD-Tenant", tenant);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>The entities a query returns (with the Smart Data Models context unless another link is given).</summary>
    public static async Task<JsonArray> Entities(this HttpClient http, string query, string? link = null)
    {
        var (status, body, _) = await http.Ngsi("/entities?" + query, link ?? SdmLink);
        Assert.True(status == HttpStatusCode.OK, $"{query}: {status} {body}");
        return body!.AsArray();
    }

    public static List<string> Ids(this JsonArray entities) => [.. entities.Select(e => (string)e!["id"]!).Order(StringComparer.Ordinal)];

    /// <summary>Asserts an ETSI problem of that type and status, as application/json with a title and detail.</summary>
    public static void AssertProblem(this (HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response) answer, HttpStatusCode status, string type)
    {
        Assert.True(answer.Status == status, $"expected {status} {type}, got {answer.Status} {answer.Body}");
        Assert.Equal("application/json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(NgsiLdProblems.Base + type, (string)answer.Body!["type"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)answer.Body["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)answer.Body["detail"]));
    }
}
