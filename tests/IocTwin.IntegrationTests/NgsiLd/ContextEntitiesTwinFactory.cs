using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// A twin of its own for the context entity tests, so the entities they create never show in the counts and lists
/// other NGSI-LD tests assert; <see cref="DatabaseFile"/> may name a database another twin used before (a restart).
/// </summary>
public class ContextEntitiesTwinFactory : TwinApiFactory
{
    public virtual string? DatabaseFile => null;

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            if (DatabaseFile is { } file)
            {
                settings["Twin:ConnectionString"] = $"Data Source={file}";
            }
            return settings;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ContextEntitiesCollection : ICollectionFixture<ContextEntitiesTwinFactory>
{
    public const string Name = "context entities twin";
}

/// <summary>Writes as an NGSI-LD client makes them: any method, JSON with a Link header or JSON-LD with its @context.</summary>
public static class ContextEntityCalls
{
    /// <summary>A context of the tests' own vocabulary, given inline in JSON-LD bodies.</summary>
    public const string Vocabulary = "https://vocab.test.example/";

    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Send(
        this HttpClient http, HttpMethod method, string path, string? json = null, string mediaType = "application/json", string? link = null)
    {
        using var request = new HttpRequestMessage(method, NgsiLdClient.Api + path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }
        if (link is not null)
        {
            request.Headers.TryAddWithoutValidation("Link", link);
        }
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static void AssertStatus(this (HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response) answer, HttpStatusCode status) =>
        Assert.True(answer.Status == status, $"expected {status}, got {answer.Status} {answer.Body}");

    /// <summary>A unique entity id of a type of the tests' own.</summary>
    public static string NewId(string type) => $"urn:ngsi-ld:{type}:{Guid.NewGuid():N}";
}
