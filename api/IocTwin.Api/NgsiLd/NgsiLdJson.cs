using System.Text.Encodings.Web;
using System.Text.Json;

namespace IocTwin.Api.NgsiLd;

public static class NgsiLdJson
{
    public const string LdJson = "application/ld+json";
    public const string Json = "application/json";
    public const string ContextRel = "http://www.w3.org/ns/json-ld#context";

    /// <summary>camelCase names as the specification writes them; Vietnamese names kept readable.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
