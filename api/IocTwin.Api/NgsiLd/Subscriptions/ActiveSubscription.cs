using System.Text.Json.Nodes;
using IocTwin.Api.Access;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// A subscription as dispatch holds it: read and checked, its owner's access, and its @context as notifications carry
/// it (the value of @context in application/ld+json, the URL of the Link header with application/json). A context
/// that is not one URL cannot be linked, so such a subscription's notifications are application/ld+json whatever its
/// accept (<see cref="LinkUrl"/> null).
/// </summary>
public sealed record ActiveSubscription(NgsiSubscription Definition, TwinAccess OwnerAccess, JsonNode ContextValue, string? LinkUrl)
{
    /// <summary>The context a notification carries, from the @context the subscription was written under (the core context last).</summary>
    public static (JsonNode Value, string? LinkUrl) ContextOf(string? stored)
    {
        var urls = new List<JsonNode>();
        if (stored is not null && JsonNode.Parse(stored) is { } given)
        {
            foreach (var item in given is JsonArray array ? array.ToList() : [given])
            {
                urls.Add(item!.DeepClone());
            }
        }
        string? link = urls.Count switch
        {
            0 => LdContextStore.CoreUrl,
            1 when urls[0] is JsonValue value && value.TryGetValue<string>(out var url) => url,
            _ => null,
        };
        if (urls.Count == 0)
        {
            return (JsonValue.Create(LdContextStore.CoreUrl), link);
        }
        urls.Add(JsonValue.Create(LdContextStore.CoreUrl));
        return (new JsonArray([.. urls]), link);
    }
}
