using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.NgsiLd.Subscriptions;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace IocTwin.Tests.NgsiLd;

/// <summary>The subscriptions API as a FIWARE client uses it: create, read back, list, change, delete, and every refusal.</summary>
[Collection(NotificationsCollection.Name)]
public sealed class NgsiLdSubscriptionRequestTests(NotificationsTwinFactory api) : IDisposable
{
    private const string Subscriptions = "/subscriptions";
    private readonly NotificationReceiver _receiver = new();
    private HttpClient Http => api.Http;

    public void Dispose() => _receiver.Dispose();

    private string Minimal(string? id = null, string endpoint = "") => $$"""
        { {{(id is null ? "" : $"\"id\": \"{id}\",")}} "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved" } ],
          "notification": { "endpoint": { "uri": "{{(endpoint.Length > 0 ? endpoint : _receiver.Url)}}" } } }
        """;

    private static string Path(string id) => Subscriptions + "/" + Uri.EscapeDataString(id);

    [Fact]
    public async Task A_created_subscription_reads_back_under_the_callers_context_and_is_listed_with_a_count()
    {
        var id = "urn:ngsi-ld:Subscription:readback-" + Guid.NewGuid().ToString("N")[..8];
        var (status, body, response) = await Http.NgsiWrite(Subscriptions, $$"""
            { "id": "{{id}}", "type": "Subscription", "subscriptionName": "slow roads",
              "entities": [ { "type": "TrafficFlowObserved", "idPattern": "urn:ngsi-ld:TrafficFlowObserved:seg-.*" } ],
              "watchedAttributes": ["averageVehicleSpeed"], "q": "averageVehicleSpeed<20", "throttling": 5,
              "geoQ": { "georel": "near;maxDistance==2000", "geometry": "Point", "coordinates": [108.22, 16.06] },
              "notification": { "attributes": ["averageVehicleSpeed", "levelOfService"], "format": "concise",
                "endpoint": { "uri": "{{_receiver.Url}}", "accept": "application/ld+json" } } }
            """);

        Assert.True(status == HttpStatusCode.Created, $"{status} {body}");
        Assert.Equal($"/ngsi-ld/v1/subscriptions/{Uri.EscapeDataString(id)}", response.Headers.Location!.ToString());
        var read = await Http.Subscription(id);
        Assert.Equal("TrafficFlowObserved", (string)read["entities"]![0]!["type"]!);
        Assert.Equal("urn:ngsi-ld:TrafficFlowObserved:seg-.*", (string)read["entities"]![0]!["idPattern"]!);
        Assert.Equal(["averageVehicleSpeed"], read["watchedAttributes"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("averageVehicleSpeed<20", (string)read["q"]!);
        Assert.Equal(5, (double)read["throttling"]!);
        Assert.Equal("near;maxDistance==2000", (string)read["geoQ"]!["georel"]!);
        Assert.Equal("concise", (string)read["notification"]!["format"]!);
        Assert.Equal("application/ld+json", (string)read["notification"]!["endpoint"]!["accept"]!);
        Assert.Equal(0, (long)read["notification"]!["timesSent"]!);
        Assert.Equal("active", (string)read["status"]!);
        Assert.True((bool)read["isActive"]!);

        // Under the core context alone the Smart Data Models names are full IRIs: the same subscription.
        var (_, bare, _) = await Http.Ngsi(Path(id));
        Assert.Equal("https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved", (string)bare!["entities"]![0]!["type"]!);

        var (listed, page, answer) = await Http.Ngsi(Subscriptions + "?count=true&limit=1000", NgsiLdClient.SdmLink);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Contains(page!.AsArray(), s => (string)s!["id"]! == id);
        Assert.Equal(page.AsArray().Count.ToString(), answer.Headers.GetValues("NGSILD-Results-Count").Single());
        var (_, none, _) = await Http.Ngsi(Subscriptions + "?limit=0&count=true");
        Assert.Empty(none!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(NgsiLdClient.Api + Path(id))).StatusCode);
    }

    [Fact]
    public async Task Each_bad_request_gets_its_ETSI_error_type_naming_the_member_and_changes_nothing()
    {
        var id = await Http.Subscribe(Minimal());
        var before = await Count();

        (await Http.NgsiWrite(Subscriptions, Minimal(id))).AssertProblem(HttpStatusCode.Conflict, "AlreadyExists");
        (await Http.Ngsi(Path("urn:ngsi-ld:Subscription:none"))).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        (await Http.NgsiWrite(Path("urn:ngsi-ld:Subscription:none"), """{ "isActive": false }""", HttpMethod.Patch)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        await BadData(Minimal().Replace("\"entities\"", "\"q\": \"speed>>3\", \"entities\""), "q");
        await BadData(Minimal().Replace(_receiver.Url, "ftp://example.org/x"), "notification.endpoint.uri");
        await BadData("""{ "type": "Subscription", "entities": [ { "type": "TrafficFlowObserved" } ], "notification": { "endpoint": {} } }""", "notification.endpoint.uri");
        await BadData(Minimal().Replace("\"notification\": {", "\"notification\": { \"format\": \"flat\","), "notification.format");
        await BadData(Minimal().Replace("\"entities\"", "\"timeInterval\": 10, \"watchedAttributes\": [\"occupancy\"], \"entities\""), "timeInterval");
        await BadData(Minimal().Replace("\"entities\"", "\"throttling\": -1, \"entities\""), "throttling");
        await BadData(Minimal().Replace("\"entities\"", "\"timeInterval\": 0.5, \"entities\""), "timeInterval");
        await BadData("""{ "timeInterval": 0.5 }""", "timeInterval", Path(id), HttpMethod.Patch);
        await BadData(Minimal().Replace("\"entities\"", $"\"expiresAt\": \"{DateTimeOffset.UtcNow.AddHours(-1):O}\", \"entities\""), "expiresAt");
        await BadData(Minimal().Replace("\"Subscription\"", "\"Subscriptions\""), "type");
        await BadData("""{ "type": "Subscription", "notification": { "endpoint": { "uri": "http://127.0.0.1:9/x" } } }""", "entities");
        await BadData(Minimal().Replace("\"entities\"", "\"csf\": \"x\", \"entities\""), "csf");
        await BadData(Minimal().Replace("{ \"type\": \"TrafficFlowObserved\" }", "{ \"id\": \"urn:x:1\" }"), "entities[].type");
        (await Send(HttpMethod.Post, Subscriptions, "{ not json", "application/json")).AssertProblem(HttpStatusCode.BadRequest, "InvalidRequest");
        (await Send(HttpMethod.Post, Subscriptions, Minimal(), "text/plain")).AssertProblem(HttpStatusCode.UnsupportedMediaType, "InvalidRequest");
        (await Send(HttpMethod.Post, Subscriptions, Minimal(), "application/json", link: NgsiLdClient.Link("https://unknown.example/ctx.jsonld")))
            .AssertProblem(HttpStatusCode.ServiceUnavailable, "LdContextNotAvailable");
        (await Send(HttpMethod.Post, Subscriptions, Minimal(), "application/json", tenant: "other")).AssertProblem(HttpStatusCode.NotImplemented, "NoMultiTenantSupport");
        await BadData("""{ "throttling": 0 }""", "throttling", Path(id), HttpMethod.Patch);
        await BadData("""{ "id": "urn:ngsi-ld:Subscription:other" }""", "id", Path(id), HttpMethod.Patch);

        Assert.Equal(before, await Count());
        var unchanged = await Http.Subscription(id);
        Assert.Null(unchanged["throttling"]);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(NgsiLdClient.Api + Path(id))).StatusCode);
    }

    [Fact]
    public async Task Notification_endpoints_are_held_to_the_allow_list_and_the_callers_role()
    {
        using var oc = api.CreateClient(TwinRoles.DistrictOc, ["hai-chau"]);
        await BadData(Minimal(endpoint: "https://receiver.example.org/n"), "notification.endpoint.uri", client: oc);
        await BadData(Minimal(endpoint: "http://169.254.169.254/latest/meta-data"), "notification.endpoint.uri");
        await BadData(Minimal(endpoint: "http://localhost:9/n"), "notification.endpoint.uri");
        await BadData(Minimal(endpoint: "http://[::1]:9/n"), "notification.endpoint.uri");

        // The IOC may name any other http(s) host; an OC a listed one.
        var iocs = await Http.Subscribe(Minimal(endpoint: "https://receiver.example.org/n"));
        var ocs = await oc.Subscribe(Minimal());
        await BadData($$"""{ "notification": { "endpoint": { "uri": "https://receiver.example.org/n" } } }""", "notification.endpoint.uri", Path(ocs), HttpMethod.Patch, oc);

        using var viewer = api.CreateClient(TwinRoles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.NgsiWrite(Subscriptions, Minimal())).Status);
        using var keyOnly = api.CreateClient();
        keyOnly.DefaultRequestHeaders.Add(AccessExtensions.ApiKeyHeader, TwinApiFactory.IngestApiKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyOnly.NgsiWrite(Subscriptions, Minimal())).Status);

        foreach (var id in new[] { iocs, ocs })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(NgsiLdClient.Api + Path(id))).StatusCode);
        }
    }

    [Fact]
    public async Task An_OC_sees_and_changes_only_its_own_scopes_subscriptions()
    {
        using var haiChau = api.CreateClient(TwinRoles.DistrictOc, ["hai-chau"]);
        using var haiChauColleague = api.CreateClient(TwinRoles.DistrictOc, ["hai-chau"]);
        using var camLe = api.CreateClient(TwinRoles.DistrictOc, ["cam-le"]);
        using var traffic = api.CreateClient(TwinRoles.SectorOc, sectors: ["traffic"]);
        var ocs = await haiChau.Subscribe(Minimal());
        var iocs = await Http.Subscribe(Minimal());

        foreach (var stranger in new[] { camLe, traffic })
        {
            (await stranger.Ngsi(Path(ocs))).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
            (await stranger.NgsiWrite(Path(ocs), """{ "isActive": false }""", HttpMethod.Patch)).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync(NgsiLdClient.Api + Path(ocs))).StatusCode);
            var (_, list, _) = await stranger.Ngsi(Subscriptions + "?limit=1000");
            Assert.DoesNotContain(list!.AsArray(), s => (string)s!["id"]! == ocs);
        }
        (await haiChau.Ngsi(Path(iocs))).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        var (_, own, _) = await haiChau.Ngsi(Subscriptions + "?limit=1000");
        // Other tests' subscriptions made by a Hải Châu OC are this OC's to see too; the IOC's are not.
        var ownIds = own!.AsArray().Select(s => (string)s!["id"]!).ToList();
        Assert.Contains(ocs, ownIds);
        Assert.DoesNotContain(iocs, ownIds);

        var (status, body, _) = await haiChauColleague.NgsiWrite(Path(ocs), """{ "isActive": false }""", HttpMethod.Patch);
        Assert.True(status == HttpStatusCode.NoContent, $"{status} {body}");
        Assert.Equal("paused", (string)(await Http.Subscription(ocs))["status"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(NgsiLdClient.Api + Path(ocs))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(NgsiLdClient.Api + Path(iocs))).StatusCode);
    }

    [Fact]
    public async Task The_hub_pushes_a_watched_subscriptions_notifications_to_its_owner_scope_only()
    {
        var counter = (await Http.Counters("hai-chau"))[8];
        using var oc = api.CreateClient(TwinRoles.DistrictOc, ["hai-chau"]);
        var id = await oc.Subscribe(SubscriptionCalls.On(counter, _receiver.Url));
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, ["hai-chau"]));
        var pushed = new TaskCompletionSource<NgsiNotificationFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        screen.Connection.On<NgsiNotificationFrame>(NotificationDispatcher.HubMethod, frame =>
        {
            if (frame.Notification.Contains("91.5", StringComparison.Ordinal)) pushed.TrySetResult(frame);
        });
        await screen.Connection.InvokeAsync(nameof(IocTwin.Api.Streaming.TwinHub.WatchNgsiSubscription), id);
        await using var stranger = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, ["cam-le"]));
        var refused = await Assert.ThrowsAsync<HubException>(() => stranger.Connection.InvokeAsync(nameof(IocTwin.Api.Streaming.TwinHub.WatchNgsiSubscription), id));
        Assert.Contains("Forbidden", refused.Message);

        await Http.Reading(counter.Id, new { speed = 91.5 });

        var frame = await pushed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(id, frame.SubscriptionId);
        var notification = JsonNode.Parse(frame.Notification)!;
        Assert.Equal("Notification", (string)notification["type"]!);
        Assert.Equal(SubscriptionCalls.Urn(counter), (string)notification["data"]![0]!["id"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(NgsiLdClient.Api + Path(id))).StatusCode);
    }

    private async Task<int> Count()
    {
        var (_, _, response) = await Http.Ngsi(Subscriptions + "?count=true&limit=0");
        return int.Parse(response.Headers.GetValues("NGSILD-Results-Count").Single());
    }

    private async Task BadData(string json, string member, string? path = null, HttpMethod? method = null, HttpClient? client = null)
    {
        var answer = await (client ?? Http).NgsiWrite(path ?? Subscriptions, json, method);
        answer.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.StartsWith(member + ":", (string)answer.Body!["detail"]!);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Send(
        HttpMethod method, string path, string body, string contentType, string? link = null, string? tenant = null)
    {
        using var request = new HttpRequestMessage(method, NgsiLdClient.Api + path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (link is not null) request.Headers.TryAddWithoutValidation("Link", link);
        if (tenant is not null) request.Headers.Add("NGSILD-Tenant", tenant);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }
}
