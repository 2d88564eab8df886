using System.Text.Json.Nodes;
using IocTwin.Api.Access;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// A subscription as dispatch holds it: read and checked, its owner's access, and its @context as notifications carry
/// it (the value of @context in application/ld+json, the URL of the Link header with application/json).
/// </summary>
public sealed record ActiveSubscription(NgsiSubscription Definition, TwinAccess OwnerAccess, JsonNode ContextValue, string LinkUrl)
{
    /// <summary>The context a notification carries, from the @context the subscription was written under (the core context last).</summary>
    public static (JsonNode Value, string LinkUrl) ContextOf(string? stored)
    {
        var urls = new List<JsonNode>();
        var link = LdContextStore.CoreUrl;
        if (stored is not null && JsonNode.Parse(stored) is { } given)
        {
            foreach (var item in given is JsonArray array ? array.ToList() : [given])
            {
                if (item is JsonValue value && value.TryGetValue<string>(out var url))
                {
                    if (link == LdContextStore.CoreUrl) link = url;
                }
                urls.Add(item!.DeepClone());
            }
        }
        if (urls.Count == 0)
        {
            return (JsonValue.Create(LdContextStore.CoreUrl), link);
        }
        urls.Add(JsonValue.Create(LdContextStore.CoreUrl));
        return (new JsonArray([.. urls]), link);
    }
}
