using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IocTwin.Api.NgsiLd.Query;
using IocTwin.Model;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// Reads a Subscription from its JSON (GS CIM 009 5.2.12) and writes it back: every bad member is a
/// <see cref="NgsiLdRequestException"/> whose detail starts with the member's name (notification.endpoint.uri: …).
/// </summary>
public static class SubscriptionDocument
{
    public const string IdPrefix = "urn:ngsi-ld:Subscription:";

    private static readonly HashSet<string> Members =
    [
        "id", "type", "subscriptionName", "description", "entities", "watchedAttributes", "timeInterval", "q", "geoQ",
        "throttling", "expiresAt", "isActive", "notification",
    ];

    /// <summary>Members the twin writes itself: a client may send them back (from a GET), they change nothing.</summary>
    private static readonly HashSet<string> ReadOnlyMembers = ["status", "createdAt", "modifiedAt", "@context"];

    private static readonly HashSet<string> ReadOnlyNotificationMembers =
        ["timesSent", "timesFailed", "lastNotification", "lastSuccess", "lastFailure", "status"];

    public static NgsiSubscription Parse(JsonObject body, LdContext context, SubscriptionOwner owner, DateTimeOffset createdAt,
        DateTimeOffset now, TimeSpan patternTimeout, bool creating = true)
    {
        foreach (var (name, _) in body)
        {
            if (!Members.Contains(name) && !ReadOnlyMembers.Contains(name))
            {
                throw new NgsiLdRequestException($"{name}: not a member of Subscription the twin supports.");
            }
        }
        if (Text(body, "type") != "Subscription")
        {
            throw new NgsiLdRequestException("type: must be \"Subscription\".");
        }
        var id = Text(body, "id") ?? IdPrefix + Guid.NewGuid();
        if (!LdContext.IsAbsoluteIri(id))
        {
            throw new NgsiLdRequestException($"id: '{id}' is not a URI.");
        }
        var entities = Entities(body["entities"], context, patternTimeout);
        var watched = body["watchedAttributes"] is { } watchedNode ? Names(watchedNode, "watchedAttributes", context) : null;
        if (entities.Count == 0 && watched is null)
        {
            throw new NgsiLdRequestException("entities: give entities or watchedAttributes (or both).");
        }
        var timeInterval = Seconds(body["timeInterval"], "timeInterval");
        var throttling = Seconds(body["throttling"], "throttling");
        if (timeInterval is not null && watched is not null)
        {
            throw new NgsiLdRequestException("timeInterval: a periodic subscription has no watchedAttributes.");
        }
        if (timeInterval is not null && throttling is not null)
        {
            throw new NgsiLdRequestException("throttling: a periodic subscription (timeInterval) is not throttled.");
        }
        var qText = Text(body, "q");
        var q = qText is null ? null : Guard("q", () => QueryParser.Parse(qText, context.Expand, patternTimeout));
        var (geoText, geo) = GeoQ(body["geoQ"], context);
        DateTimeOffset? expiresAt = null;
        if (Text(body, "expiresAt") is { } expires)
        {
            expiresAt = DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : throw new NgsiLdRequestException($"expiresAt: '{expires}' is not a date-time.");
            if (creating && time <= now)
            {
                throw new NgsiLdRequestException("expiresAt: lies in the past.");
            }
        }
        var isActive = body["isActive"] switch
        {
            null => true,
            JsonValue value when value.TryGetValue<bool>(out var active) => active,
            _ => throw new NgsiLdRequestException("isActive: must be true or false."),
        };
        return new NgsiSubscription(id, Text(body, "subscriptionName"), Text(body, "description"), entities, watched, qText, q, geoText, geo,
            throttling, timeInterval, expiresAt, isActive, Notification(body["notification"], context), context, owner, createdAt, now);
    }

    /// <summary>The subscription as GET answers it, names compacted with <paramref name="context"/>.</summary>
    public static JsonObject Write(NgsiSubscription subscription, LdContext context, NotificationCounters counters, DateTimeOffset now)
    {
        var json = new JsonObject { ["id"] = subscription.Id, ["type"] = "Subscription" };
        if (subscription.Name is { } name) json["subscriptionName"] = name;
        if (subscription.Description is { } description) json["description"] = description;
        if (subscription.Entities.Count > 0)
        {
            json["entities"] = new JsonArray([.. subscription.Entities.Select(s =>
            {
                var selector = new JsonObject { ["type"] = context.Compact(s.Type) };
                if (s.Id is { } id) selector["id"] = id;
                if (s.IdPattern is { } pattern) selector["idPattern"] = pattern.ToString();
                return (JsonNode)selector;
            })]);
        }
        if (subscription.WatchedAttributes is { } watched) json["watchedAttributes"] = NameArray(watched, context);
        if (subscription.TimeInterval is { } interval) json["timeInterval"] = interval;
        if (subscription.QText is { } q) json["q"] = q;
        if (subscription.GeoQText is { } geo) json["geoQ"] = geo.DeepClone();
        if (subscription.Throttling is { } throttling) json["throttling"] = throttling;
        if (subscription.ExpiresAt is { } expires) json["expiresAt"] = NgsiLdFormat.Time(expires);
        json["isActive"] = subscription.IsActive;
        json["status"] = subscription.StatusAt(now).ToString().ToLowerInvariant();
        var notification = subscription.Notification;
        var endpoint = new JsonObject { ["uri"] = notification.Endpoint.ToString(), ["accept"] = notification.Accept };
        if (notification.ReceiverInfo.Count > 0)
        {
            endpoint["receiverInfo"] = new JsonArray([.. notification.ReceiverInfo.Select(i => (JsonNode)new JsonObject { ["key"] = i.Key, ["value"] = i.Value })]);
        }
        var written = new JsonObject();
        if (notification.Attributes is { } attributes) written["attributes"] = NameArray(attributes, context);
        written["format"] = notification.Format switch { EntityFormat.KeyValues => "keyValues", EntityFormat.Concise => "concise", _ => "normalized" };
        written["endpoint"] = endpoint;
        written["timesSent"] = counters.TimesSent;
        written["timesFailed"] = counters.TimesFailed;
        if (counters.LastNotification is { } last) written["lastNotification"] = NgsiLdFormat.Time(last);
        if (counters.LastSuccess is { } success) written["lastSuccess"] = NgsiLdFormat.Time(success);
        if (counters.LastFailure is { } failure) written["lastFailure"] = NgsiLdFormat.Time(failure);
        written["status"] = counters.Status;
        json["notification"] = written;
        json["createdAt"] = NgsiLdFormat.Time(subscription.CreatedAt);
        json["modifiedAt"] = NgsiLdFormat.Time(subscription.ModifiedAt);
        return json;
    }

    /// <summary>The members the caller wrote, for storing: read-only members left out.</summary>
    public static JsonObject Stored(JsonObject body)
    {
        var stored = (JsonObject)body.DeepClone();
        foreach (var member in ReadOnlyMembers)
        {
            stored.Remove(member);
        }
        if (stored["notification"] is JsonObject notification)
        {
            foreach (var member in ReadOnlyNotificationMembers)
            {
                notification.Remove(member);
            }
        }
        return stored;
    }

    private static List<EntitySelector> Entities(JsonNode? node, LdContext context, TimeSpan patternTimeout)
    {
        if (node is null)
        {
            return [];
        }
        if (node is not JsonArray array || array.Count == 0 || array.Any(s => s is not JsonObject))
        {
            throw new NgsiLdRequestException("entities: must be a non-empty array of {type, id, idPattern}.");
        }
        return [.. array.Cast<JsonObject>().Select(selector =>
        {
            var type = Text(selector, "type", "entities[].type") ?? throw new NgsiLdRequestException("entities[].type: each selector needs a type.");
            var id = Text(selector, "id", "entities[].id");
            if (id is not null && !LdContext.IsAbsoluteIri(id))
            {
                throw new NgsiLdRequestException($"entities[].id: '{id}' is not a URI.");
            }
            var pattern = Text(selector, "idPattern", "entities[].idPattern") is { } text
                ? Guard("entities[].idPattern", () => new Regex(text, RegexOptions.CultureInvariant, patternTimeout))
                : null;
            return new EntitySelector(context.Expand(type), id, pattern);
        })];
    }

    private static NotificationParameters Notification(JsonNode? node, LdContext context)
    {
        if (node is not JsonObject notification)
        {
            throw new NgsiLdRequestException("notification: must be an object with an endpoint.");
        }
        foreach (var (name, _) in notification)
        {
            if (name is not ("attributes" or "format" or "endpoint") && !ReadOnlyNotificationMembers.Contains(name))
            {
                throw new NgsiLdRequestException($"notification.{name}: not a member the twin supports.");
            }
        }
        var attributes = notification["attributes"] is { } list ? Names(list, "notification.attributes", context) : null;
        var format = Text(notification, "format", "notification.format") switch
        {
            null or "normalized" => EntityFormat.Normalized,
            "keyValues" => EntityFormat.KeyValues,
            "concise" => EntityFormat.Concise,
            var other => throw new NgsiLdRequestException($"notification.format: '{other}' is not normalized, keyValues or concise."),
        };
        if (notification["endpoint"] is not JsonObject endpoint)
        {
            throw new NgsiLdRequestException("notification.endpoint: must be an object with a uri.");
        }
        var uriText = Text(endpoint, "uri", "notification.endpoint.uri") ?? throw new NgsiLdRequestException("notification.endpoint.uri: is missing.");
        if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new NgsiLdRequestException($"notification.endpoint.uri: '{uriText}' is not an http or https URL (the twin notifies over HTTP only).");
        }
        var accept = Text(endpoint, "accept", "notification.endpoint.accept") ?? NgsiLdJson.Json;
        if (accept is not (NgsiLdJson.Json or NgsiLdJson.LdJson))
        {
            throw new NgsiLdRequestException($"notification.endpoint.accept: '{accept}' is not application/json or application/ld+json.");
        }
        var receiverInfo = new List<KeyValuePair<string, string>>();
        if (endpoint["receiverInfo"] is { } info)
        {
            if (info is not JsonArray pairs || pairs.Any(p => p is not JsonObject))
            {
                throw new NgsiLdRequestException("notification.endpoint.receiverInfo: must be an array of {key, value}.");
            }
            foreach (var pair in pairs.Cast<JsonObject>())
            {
                var key = Text(pair, "key", "notification.endpoint.receiverInfo[].key");
                var value = Text(pair, "value", "notification.endpoint.receiverInfo[].value");
                if (key is null || value is null || !IsHeaderName(key) || value.Any(char.IsControl))
                {
                    throw new NgsiLdRequestException("notification.endpoint.receiverInfo: each item needs a key that is a header name and a value.");
                }
                receiverInfo.Add(new(key, value));
            }
        }
        return new NotificationParameters(attributes, format, uri, accept, receiverInfo);
    }

    private static (JsonObject? Text, GeoQuery? Query) GeoQ(JsonNode? node, LdContext context)
    {
        if (node is null)
        {
            return (null, null);
        }
        if (node is not JsonObject geoQ)
        {
            throw new NgsiLdRequestException("geoQ: must be an object {geometry, coordinates, georel, geoproperty}.");
        }
        var georel = Text(geoQ, "georel", "geoQ.georel") ?? throw new NgsiLdRequestException("geoQ.georel: is missing.");
        var coordinates = geoQ["coordinates"] switch
        {
            null => null,
            JsonValue text when text.TryGetValue<string>(out var written) => written,
            var other => other.ToJsonString(),
        };
        var query = Guard("geoQ", () => GeoQuery.Parse(georel, Text(geoQ, "geometry", "geoQ.geometry"), coordinates,
            context.Expand(Text(geoQ, "geoproperty", "geoQ.geoproperty") ?? "location")));
        return ((JsonObject)geoQ.DeepClone(), query);
    }

    private static HashSet<string> Names(JsonNode node, string field, LdContext context)
    {
        if (node is not JsonArray array || array.Count == 0)
        {
            throw new NgsiLdRequestException($"{field}: must be a non-empty array of names.");
        }
        return [.. array.Select(n => context.Expand(n is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0
            ? name : throw new NgsiLdRequestException($"{field}: must be a non-empty array of names.")))];
    }

    private static JsonArray NameArray(IEnumerable<string> names, LdContext context) =>
        new([.. names.Select(context.Compact).Order(StringComparer.Ordinal).Select(n => (JsonNode)n)]);

    private static double? Seconds(JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<double>(out var seconds) && seconds > 0 && double.IsFinite(seconds) => seconds,
        _ => throw new NgsiLdRequestException($"{field}: must be a number of seconds above 0."),
    };

    private static string? Text(JsonObject json, string member, string? field = null) => json[member] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new NgsiLdRequestException($"{field ?? member}: must be a string."),
    };

    /// <summary>A parser's complaint, with the member's name in front so the caller knows where to look.</summary>
    private static T Guard<T>(string field, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (NgsiLdRequestException ex)
        {
            throw new NgsiLdRequestException($"{field}: {ex.Message}");
        }
        catch (ArgumentException)
        {
            throw new NgsiLdRequestException($"{field}: not a regular expression.");
        }
    }

    private static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
