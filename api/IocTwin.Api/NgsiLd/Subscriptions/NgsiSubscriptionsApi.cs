using System.Globalization;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.Options;

namespace IocTwin.Api.NgsiLd.Subscriptions;

/// <summary>
/// /ngsi-ld/v1/subscriptions (GS CIM 009 5.8): create, list, retrieve, update and delete subscriptions. The IOC and
/// OCs subscribe; each sees and changes its own scope's subscriptions (the IOC all); an unknown id or one outside the
/// caller's scope is ResourceNotFound, found in the index without waking a subscription grain.
/// </summary>
public static class NgsiSubscriptionsApi
{
    public const string Path = "/subscriptions";
    private const int DefaultLimit = 20;
    private const int MaxLimit = 1000;

    public static WebApplicationBuilder AddNgsiLdSubscriptions(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<NotificationOptions>(builder.Configuration.GetSection(NotificationOptions.SectionName));
        builder.Services.AddSingleton<EndpointPolicy>();
        builder.Services.AddSingleton<NgsiChangeFeed>();
        builder.Services.AddSingleton<TwinNgsiChanges>();
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        builder.Services.AddHttpClient(NotificationDispatcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                // Direct connections only: through a proxy the connect check would see the proxy, not the target.
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<EndpointPolicy>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return builder;
    }

    public static RouteGroupBuilder MapNgsiLdSubscriptions(this RouteGroupBuilder api)
    {
        api.MapPost(Path, Create).WithSummary("Creates a subscription: 201 with its Location.");
        api.MapGet(Path, List).WithSummary("The subscriptions of the caller's scope: limit/offset, count.");
        api.MapGet(Path + "/{id}", Retrieve).WithSummary("One subscription, with its notification counters and status.");
        api.MapPatch(Path + "/{id}", Update).WithSummary("Changes the members a fragment gives; 204.");
        api.MapDelete(Path + "/{id}", Delete).WithSummary("Deletes a subscription: it notifies no more; 204.");
        return api;
    }

    public static async Task<IResult> Create(HttpContext http, NotificationDispatcher dispatcher, EndpointPolicy endpoints, IGrainFactory grains,
        IOptions<NotificationOptions> options, IOptions<NgsiLdOptions> ngsi, TimeProvider time)
    {
        var access = http.Access();
        if (!SubscriptionScope.MaySubscribe(access))
        {
            return Forbidden("Subscribing needs the ioc role or an OC role.");
        }
        var (body, problem) = await NgsiLdApi.ReadQueryBodyAsync(http, "the Subscription");
        if (problem is not null)
        {
            return problem;
        }
        var bodyContext = BodyContext(http, body!);
        return await NgsiLdApi.Guarded(http, async call =>
        {
            var writtenContext = WrittenContext(call, bodyContext);
            var now = time.GetUtcNow();
            var owner = SubscriptionScope.OwnerOf(access);
            var subscription = SubscriptionDocument.Parse(body!, call.Context, owner, now, now, ngsi.Value.PatternTimeout);
            if (endpoints.Refusal(subscription.Notification.Endpoint, access) is { } refusal)
            {
                return NgsiLdProblems.BadRequestData("notification.endpoint.uri: " + refusal);
            }
            if (TooFrequent(subscription, options.Value) is { } tooFrequent)
            {
                return tooFrequent;
            }
            var index = grains.GetGrain<INgsiSubscriptionIndexGrain>(0);
            var perOwner = options.Value.MaxSubscriptionsPerOwner;
            if ((await index.List()).Count(e => SameScope(e.Owner, owner)) >= perOwner)
            {
                return Forbidden($"Your scope holds at most {perOwner} subscriptions (NgsiLd:Notifications:MaxSubscriptionsPerOwner); delete one first.");
            }
            if (!await index.Add(new NgsiSubscriptionEntry(subscription.Id, owner), options.Value.MaxSubscriptions))
            {
                return await index.Find(subscription.Id) is not null
                    ? NgsiLdProblems.AlreadyExists($"A subscription '{subscription.Id}' exists.")
                    : NgsiLdProblems.OperationNotSupported($"The twin holds at most {options.Value.MaxSubscriptions} subscriptions (NgsiLd:Notifications:MaxSubscriptions).");
            }
            var stored = SubscriptionDocument.Stored(body!);
            stored["id"] = subscription.Id;
            try
            {
                await grains.GetGrain<INgsiSubscriptionGrain>(subscription.Id).Put(
                    new NgsiSubscriptionDefinition(subscription.Id, stored.ToJsonString(), writtenContext, owner, now, now));
            }
            catch
            {
                // The grain is the subscription; without it the index entry would answer 409 to a retry and 404 to a read.
                await index.Remove(subscription.Id);
                throw;
            }
            await dispatcher.ApplyAsync(subscription.Id, http.RequestAborted);
            return TypedResults.Created($"{NgsiLdApi.Prefix}{Path}/{Uri.EscapeDataString(subscription.Id)}");
        }, body);
    }

    public static Task<IResult> List(HttpContext http, NotificationDispatcher dispatcher, IGrainFactory grains, TimeProvider time) =>
        NgsiLdApi.Guarded(http, async call =>
        {
            var access = http.Access();
            if (!SubscriptionScope.MaySubscribe(access))
            {
                return Forbidden("Subscriptions are the ioc role's and OCs'.");
            }
            var limit = Number(http.Request.Query["limit"], "limit", DefaultLimit);
            var offset = Number(http.Request.Query["offset"], "offset", 0);
            if (limit > MaxLimit)
            {
                throw new NgsiLdRequestException($"limit: at most {MaxLimit} subscriptions per page.");
            }
            var count = http.Request.Query["count"].ToString() switch
            {
                "" or "false" => false,
                "true" => true,
                var other => throw new NgsiLdRequestException($"count: '{other}' is not true or false."),
            };
            var mine = (await grains.GetGrain<INgsiSubscriptionIndexGrain>(0).List()).Where(e => SubscriptionScope.CanManage(access, e.Owner)).ToList();
            if (count)
            {
                http.Response.Headers[NgsiLdCall.CountHeader] = mine.Count.ToString(CultureInfo.InvariantCulture);
            }
            var page = new JsonArray();
            foreach (var entry in mine.Skip(offset).Take(limit))
            {
                if (await ReadAsync(entry.Id, grains, dispatcher, call, time, http.RequestAborted) is { } written)
                {
                    page.Add(written);
                }
            }
            return call.Answer(http, page);
        });

    public static Task<IResult> Retrieve(string id, HttpContext http, NotificationDispatcher dispatcher, IGrainFactory grains, TimeProvider time) =>
        NgsiLdApi.Guarded(http, async call =>
        {
            id = Uri.UnescapeDataString(id);
            if (await FindAsync(id, http.Access(), grains) is { } problem)
            {
                return problem;
            }
            return await ReadAsync(id, grains, dispatcher, call, time, http.RequestAborted) is { } written
                ? call.Answer(http, written)
                : NotFound(id);
        });

    public static async Task<IResult> Update(string id, HttpContext http, NotificationDispatcher dispatcher, EndpointPolicy endpoints,
        IGrainFactory grains, IOptions<NotificationOptions> options, IOptions<NgsiLdOptions> ngsi, TimeProvider time)
    {
        id = Uri.UnescapeDataString(id);
        var access = http.Access();
        if (await FindAsync(id, access, grains) is { } missing)
        {
            return missing;
        }
        var (patch, problem) = await NgsiLdApi.ReadQueryBodyAsync(http, "the Subscription fragment");
        if (problem is not null)
        {
            return problem;
        }
        var bodyContext = BodyContext(http, patch!);
        return await NgsiLdApi.Guarded(http, async call =>
        {
            var writtenContext = WrittenContext(call, bodyContext);
            var grain = grains.GetGrain<INgsiSubscriptionGrain>(id);
            if (await grain.Get() is not { } record || await dispatcher.CompileAsync(record, http.RequestAborted) is not { } current)
            {
                return NotFound(id);
            }
            if (patch!["id"] is { } newId && newId.ToString() != id)
            {
                throw new NgsiLdRequestException("id: a subscription's id cannot change.");
            }
            var now = time.GetUtcNow();
            // The subscription as the caller's context writes it, with the fragment's members over it.
            var merged = SubscriptionDocument.Stored(SubscriptionDocument.Write(current.Definition, call.Context, NotificationCounters.None, now));
            foreach (var (name, value) in patch!)
            {
                if (name == "notification" && value is JsonObject notification && merged["notification"] is JsonObject existing)
                {
                    foreach (var (member, part) in notification)
                    {
                        existing[member] = part?.DeepClone();
                    }
                }
                else
                {
                    merged[name] = value?.DeepClone();
                }
            }
            merged["type"] ??= "Subscription";
            var changed = SubscriptionDocument.Parse(merged, call.Context, record.Definition.Owner, record.Definition.CreatedAt, now,
                ngsi.Value.PatternTimeout, creating: patch.ContainsKey("expiresAt"));
            if (endpoints.Refusal(changed.Notification.Endpoint, access) is { } refusal && patch.ContainsKey("notification"))
            {
                return NgsiLdProblems.BadRequestData("notification.endpoint.uri: " + refusal);
            }
            if (patch.ContainsKey("timeInterval") && TooFrequent(changed, options.Value) is { } tooFrequent)
            {
                return tooFrequent;
            }
            await grain.Put(record.Definition with { Document = SubscriptionDocument.Stored(merged).ToJsonString(), Context = writtenContext, ModifiedAt = now });
            await grains.GetGrain<INgsiSubscriptionIndexGrain>(0).Touch();
            await dispatcher.ApplyAsync(id, http.RequestAborted);
            return TypedResults.NoContent();
        }, patch);
    }

    public static Task<IResult> Delete(string id, HttpContext http, NotificationDispatcher dispatcher, IGrainFactory grains) =>
        NgsiLdApi.Guarded(http, async _ =>
        {
            id = Uri.UnescapeDataString(id);
            if (await FindAsync(id, http.Access(), grains) is { } problem)
            {
                return problem;
            }
            await grains.GetGrain<INgsiSubscriptionGrain>(id).Delete();
            await grains.GetGrain<INgsiSubscriptionIndexGrain>(0).Remove(id);
            await dispatcher.ApplyAsync(id, http.RequestAborted);
            return TypedResults.NoContent();
        });

    /// <summary>Null when the caller may manage the subscription; otherwise the answer refusing it.</summary>
    private static async Task<IResult?> FindAsync(string id, TwinAccess access, IGrainFactory grains)
    {
        if (!SubscriptionScope.MaySubscribe(access))
        {
            return Forbidden("Subscriptions are the ioc role's and OCs'.");
        }
        if (!LdContext.IsAbsoluteIri(id))
        {
            return NgsiLdProblems.BadRequestData($"id: '{id}' is not a URI.");
        }
        return await grains.GetGrain<INgsiSubscriptionIndexGrain>(0).Find(id) is { } owner && SubscriptionScope.CanManage(access, owner)
            ? null
            : NotFound(id);
    }

    private static async Task<JsonObject?> ReadAsync(string id, IGrainFactory grains, NotificationDispatcher dispatcher, NgsiLdCall call,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<INgsiSubscriptionGrain>(id).Get() is not { } record
            || await dispatcher.CompileAsync(record, cancellationToken) is not { } subscription)
        {
            return null;
        }
        return SubscriptionDocument.Write(subscription.Definition, call.Context, record.Counters.Add(dispatcher.Unreported(id)), time.GetUtcNow());
    }

    /// <summary>The body's own @context with application/ld+json (null otherwise), taken before the call settles it.</summary>
    private static JsonNode? BodyContext(HttpContext http, JsonObject body) => NgsiLdCall.IsLdJson(http.Request) ? body["@context"]?.DeepClone() : null;

    /// <summary>
    /// The @context the body was written under, as JSON to store: its URLs as the call settled them (a context this twin
    /// serves stands for the URL it holds), or the body's inline context as written.
    /// </summary>
    private static string? WrittenContext(NgsiLdCall call, JsonNode? bodyContext)
    {
        var urls = call.ContextUrls.Take(call.ContextUrls.Count - 1).ToList();
        var allUrls = bodyContext is null or JsonValue || (bodyContext is JsonArray array && array.All(i => i is JsonValue));
        if (!allUrls)
        {
            return bodyContext!.ToJsonString();
        }
        return urls.Count switch
        {
            0 => null,
            1 => JsonValue.Create(urls[0]).ToJsonString(),
            _ => new JsonArray([.. urls.Select(u => (JsonNode)u)]).ToJsonString(),
        };
    }

    /// <summary>A periodic subscription asking more often than NgsiLd:Notifications:MinTimeInterval is refused: each tick reads the whole city.</summary>
    private static IResult? TooFrequent(NgsiSubscription subscription, NotificationOptions options) =>
        subscription.TimeInterval is { } interval && interval < options.MinTimeInterval.TotalSeconds
            ? NgsiLdProblems.BadRequestData($"timeInterval: at least {options.MinTimeInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds (NgsiLd:Notifications:MinTimeInterval).")
            : null;

    /// <summary>Subscriptions of one role and district/sector scope count against one per-owner cap, whatever token made them.</summary>
    private static bool SameScope(SubscriptionOwner a, SubscriptionOwner b) =>
        a.Role == b.Role && a.Districts.Order().SequenceEqual(b.Districts.Order()) && a.Sectors.Order().SequenceEqual(b.Sectors.Order());

    private static IResult NotFound(string id) => NgsiLdProblems.ResourceNotFound($"There is no subscription '{id}' that your token covers.");

    private static IResult Forbidden(string detail) =>
        TypedResults.Json(new NgsiLdProblem("about:blank", "Forbidden", detail, 403), NgsiLdJson.Options, "application/json", 403);

    private static int Number(string? text, string field, int fallback) =>
        string.IsNullOrEmpty(text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new NgsiLdRequestException($"{field}: '{text}' is not a whole number of 0 or more.");
}
