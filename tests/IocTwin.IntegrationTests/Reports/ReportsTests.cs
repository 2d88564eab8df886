using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Api.Reports;
using IocTwin.Grains;
using Microsoft.Extensions.DependencyInjection;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Reports;

/// <summary>
/// Citizen reports: routed to the OCs of their ward and sector and no other, over REST and the hub; their lifecycle as
/// OCs take it; the reporter's contact kept from OCs; bad input and anonymous floods refused; open and overdue reports
/// counted in the KPIs of every area above them.
/// </summary>
[Collection(ReportsCollection.Name)]
public sealed class ReportsTests(ReportsTwinFactory api)
{
    private HttpClient Ioc => api.Http;

    // Each test's areas lie in a band of longitudes of their own, far from the sample city and from each other.
    private const double RoutingLon = 130.0, LifecycleLon = 131.0, BadInputLon = 132.0, KpiLon = 133.0, AnonymousLon = 134.0, RetryLon = 135.0, FilerLon = 136.0;

    private const string Contact = "Nguyễn Văn A, 0905 123 456";

    private static string Body(string category, double lon, double lat = 10.1, string text = "Nước ngập qua đầu gối trước chợ",
        string? contact = Contact, string? photoUrl = "https://example.org/photos/ngap.jpg") =>
        JsonSerializer.Serialize(new { category, text, lat, lon, photoUrl, contact });

    private static async Task<string> FileAsync(HttpClient http, string body)
    {
        var response = await http.PostJson("/api/v1/reports", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.ReadObject())["id"]!;
    }

    private static Task<HttpResponseMessage> ActAsync(HttpClient http, string id, string action, object? body = null) =>
        http.PostJson($"/api/v1/reports/{id}/{action}", JsonSerializer.Serialize(body ?? new { }));

    [Fact]
    public async Task A_report_in_a_ward_reaches_that_wards_OC_and_no_other_over_REST_and_the_hub_without_the_reporters_contact()
    {
        var tag = Tag();
        var (district, west, east) = await TwoWardsAsync(Ioc, tag, RoutingLon);
        await using var westScreen = await ReportScreen.OpenAsync(api, api.Token(TwinRoles.DistrictOc, districts: [west]), $"area:{west}");
        await using var eastScreen = await ReportScreen.OpenAsync(api, api.Token(TwinRoles.DistrictOc, districts: [east]), $"area:{east}");
        await using var floodScreen = await ReportScreen.OpenAsync(api, api.Token(TwinRoles.SectorOc, sectors: ["flood"]), "sector:flood");

        var id = await FileAsync(Ioc, Body("flooding", RoutingLon + 0.05));

        await westScreen.WaitFor(f => f.Report.Id == id && f.Report.AreaId == west && f.Report.State == ReportState.Received, "the west ward's OC is sent the report");
        await floodScreen.WaitFor(f => f.Report.Id == id, "the flood sector's OC is sent the report");
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(Ioc, id, "assign")).StatusCode);
        await westScreen.WaitFor(f => f.Report.Id == id && f.Report.State == ReportState.Assigned, "the west ward's OC sees it assigned");
        Assert.DoesNotContain(eastScreen.Frames, f => f.Report.Id == id);
        Assert.All(westScreen.Frames.Concat(floodScreen.Frames), f => Assert.Null(f.Report.Contact));

        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        using var eastOc = api.CreateClient(TwinRoles.DistrictOc, districts: [east]);
        using var districtOc = api.CreateClient(TwinRoles.DistrictOc, districts: [district]);
        using var floodOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["flood"]);
        using var trafficOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["traffic"]);
        foreach (var (oc, sees) in new[] { (westOc, true), (districtOc, true), (floodOc, true), (eastOc, false), (trafficOc, false) })
        {
            var list = await oc.Get<ReportPage>("/api/v1/reports?limit=1000");
            Assert.Equal(sees, list.Items.Any(r => r.Id == id));
            var one = await oc.GetAsync($"/api/v1/reports/{id}");
            Assert.Equal(sees ? HttpStatusCode.OK : HttpStatusCode.NotFound, one.StatusCode);
            // The contact is in no OC's answer, in any field.
            Assert.DoesNotContain("0905 123 456", await one.Content.ReadAsStringAsync());
            Assert.DoesNotContain("0905 123 456", await (await oc.GetAsync("/api/v1/reports?limit=1000")).Content.ReadAsStringAsync());
        }
        var seenByIoc = await Ioc.Get<ReportView>($"/api/v1/reports/{id}");
        Assert.Equal((Contact, west, Sector.Flood, "https://example.org/photos/ngap.jpg"), (seenByIoc.Contact, seenByIoc.AreaId, seenByIoc.Sector, seenByIoc.PhotoUrl));
        Assert.Equal([id], (await westOc.Get<ReportPage>($"/api/v1/reports?area={west}&category=flooding")).Items.Select(r => r.Id));
        Assert.Empty((await Ioc.Get<ReportPage>($"/api/v1/reports?area={east}")).Items);
    }

    [Fact]
    public async Task Only_the_responsible_OC_or_the_IOC_takes_a_report_through_its_lifecycle_and_only_in_order()
    {
        var tag = Tag();
        var (_, west, east) = await TwoWardsAsync(Ioc, tag, LifecycleLon);
        var id = await FileAsync(Ioc, Body("pothole", LifecycleLon + 0.05, text: "Ổ gà sâu giữa đường"));
        using var westOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        using var eastOc = api.CreateClient(TwinRoles.DistrictOc, districts: [east]);
        using var viewer = api.CreateClient(TwinRoles.Viewer);
        using var lightingOc = api.CreateClient(TwinRoles.SectorOc, sectors: ["lighting"]);

        // No resolve before someone is assigned; nobody outside the report's area and sector acts on it.
        Assert.Equal(HttpStatusCode.Conflict, (await ActAsync(westOc, id, "resolve")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await ActAsync(westOc, id, "start")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ActAsync(eastOc, id, "assign")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ActAsync(lightingOc, id, "assign")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ActAsync(viewer, id, "assign")).StatusCode);
        Assert.Equal(ReportState.Received, (await Ioc.Get<ReportView>($"/api/v1/reports/{id}")).State);

        var assigned = await ActAsync(westOc, id, "assign", new { note = "Đội duy tu số 2" });
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(westOc, id, "start")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(westOc, id, "resolve")).StatusCode);
        var resolvedAgain = await ActAsync(Ioc, id, "resolve");
        Assert.Equal(HttpStatusCode.Conflict, resolvedAgain.StatusCode);
        Assert.Equal("resolved", (string)(await resolvedAgain.ReadObject())["state"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await ActAsync(Ioc, id, "reject", new { reason = "trùng" })).StatusCode);

        var report = await westOc.Get<ReportView>($"/api/v1/reports/{id}");
        Assert.Equal([ReportState.Received, ReportState.Assigned, ReportState.InProgress, ReportState.Resolved], report.Steps.Select(s => s.State));
        Assert.All(report.Steps.Skip(1), s => Assert.Equal("test", s.By));
        Assert.Equal("Đội duy tu số 2", report.Steps[1].Note);
        Assert.True(report.Steps.Zip(report.Steps.Skip(1)).All(p => p.First.At <= p.Second.At), "each step comes after the one before");

        // A reject needs a reason; the IOC may reject any open report.
        var other = await FileAsync(Ioc, Body("other", LifecycleLon + 0.15, text: "Trùng với phản ánh trước"));
        var noReason = await ActAsync(Ioc, other, "reject");
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(["reason"], await noReason.ProblemFields());
        Assert.Equal(ReportState.Received, (await Ioc.Get<ReportView>($"/api/v1/reports/{other}")).State);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(Ioc, other, "reject", new { reason = "Trùng phản ánh" })).StatusCode);
        var rejected = await eastOc.Get<ReportView>($"/api/v1/reports/{other}");
        Assert.Equal((ReportState.Rejected, "Trùng phản ánh"), (rejected.State, rejected.Steps[^1].Note));
        Assert.Equal("rejected", (string)(await (await Ioc.GetAsync($"/api/v1/reports/{other}/status")).ReadObject())["state"]!);

        Assert.Equal(HttpStatusCode.NotFound, (await ActAsync(Ioc, Guid.NewGuid().ToString("N"), "assign")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ActAsync(Ioc, "not-a-report", "assign")).StatusCode);
    }

    [Fact]
    public async Task Bad_reports_are_refused_naming_each_bad_field_and_nothing_is_stored()
    {
        var tag = Tag();
        var (district, west, _) = await TwoWardsAsync(Ioc, tag, BadInputLon);
        var cases = new (string Body, string[] Fields)[]
        {
            (Body("volcano", BadInputLon + 0.05), ["category"]),
            (Body("pothole", BadInputLon + 0.05, text: "  "), ["text"]),
            (Body("pothole", BadInputLon + 0.05, text: new string('x', 2_001)), ["text"]),
            (JsonSerializer.Serialize(new { category = "pothole", text = "Ổ gà", lon = BadInputLon + 0.05 }), ["lat"]),
            (Body("pothole", BadInputLon + 0.05, lat: 95), ["lat"]),
            (Body("pothole", BadInputLon + 0.05, photoUrl: "ftp://example.org/a.jpg"), ["photoUrl"]),
            (Body("pothole", BadInputLon + 0.05, photoUrl: "https://user:secret@example.org/a.jpg"), ["photoUrl"]),
            (Body("pothole", BadInputLon + 0.05, contact: new string('0', 201)), ["contact"]),
            (Body("volcano", BadInputLon + 0.05, text: "", photoUrl: "not a url"), ["category", "photoUrl", "text"]),
            // A place outside every area of the city has no OC to take it.
            (Body("pothole", BadInputLon + 0.5), ["lat"]),
            (JsonSerializer.Serialize(new { category = "pothole", text = "Ổ gà", lat = "10.1", lon = BadInputLon + 0.05 }), ["lat"]),
        };
        foreach (var (body, fields) in cases)
        {
            var response = await Ioc.PostJson("/api/v1/reports", body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {response.StatusCode}");
            Assert.Equal(fields, (await response.ProblemFields()).Order(StringComparer.Ordinal));
        }
        var tooLarge = await Ioc.PostJson("/api/v1/reports", Body("pothole", BadInputLon + 0.05, text: new string('x', 20_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        // A report is listed and counted by its ward before its filing is answered: none of these was.
        Assert.Equal(0, (await Ioc.Get<ReportPage>($"/api/v1/reports?area={district}")).Total);
        Assert.Equal(0.0, (await Ioc.Get<DistrictView>($"/api/v1/areas/{west}")).Kpis.OpenReports?.Value);
        Assert.Equal(HttpStatusCode.BadRequest, (await Ioc.GetAsync("/api/v1/reports?state=done")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Ioc.GetAsync("/api/v1/reports?limit=5000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Ioc.GetAsync($"/api/v1/reports?area=nowhere-{tag}")).StatusCode);
    }

    [Fact]
    public async Task Each_area_counts_its_open_and_overdue_reports_and_those_of_the_areas_below_it()
    {
        var tag = Tag();
        var (district, west, east) = await TwoWardsAsync(Ioc, tag, KpiLon);
        // Flooding falls overdue at once in this twin; potholes and streetlights have days.
        var flood = await FileAsync(Ioc, Body("flooding", KpiLon + 0.05));
        await FileAsync(Ioc, Body("pothole", KpiLon + 0.06, text: "Ổ gà"));
        await FileAsync(Ioc, Body("streetlight", KpiLon + 0.15, text: "Đèn đường tắt cả tuần"));

        async Task<(double?, double?)> CountsAsync(string area)
        {
            var kpis = (await Ioc.Get<DistrictView>($"/api/v1/areas/{area}")).Kpis;
            return (kpis.OpenReports?.Value, kpis.OverdueReports?.Value);
        }

        await Eventually.Until(() => CountsAsync(west), c => c == (2, 1), TimeSpan.FromSeconds(15), "the west ward counts two open reports, one overdue");
        Assert.Equal((1.0, 0.0), await CountsAsync(east));
        await Eventually.Until(() => CountsAsync(district), c => c == (3, 1), TimeSpan.FromSeconds(15), "the district counts its wards' reports");
        // Kept in the area's KPI history too, as its other counts are.
        await Eventually.Until(() => KpiHistoryAsync(Ioc, district), buckets => buckets.Any(b =>
                (double?)b!["values"]!["openReports"]?["max"] == 3 && (double?)b["values"]!["overdueReports"]?["max"] == 1),
            TimeSpan.FromSeconds(20), "the district's KPI history holds its open and overdue reports");
        Assert.Equal([flood], (await Ioc.Get<ReportPage>($"/api/v1/reports?area={district}&overdue=true")).Items.Select(r => r.Id));
        var queue = await Ioc.Get<ReportPage>($"/api/v1/reports?area={district}");
        Assert.Equal(3, queue.Total);
        Assert.Equal(queue.Items.OrderBy(r => r.DueAt).Select(r => r.Id), queue.Items.Select(r => r.Id));

        Assert.Equal(HttpStatusCode.OK, (await ActAsync(Ioc, flood, "assign")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(Ioc, flood, "resolve")).StatusCode);
        await Eventually.Until(() => CountsAsync(district), c => c == (2, 0), TimeSpan.FromSeconds(15), "a resolved report is no longer open nor overdue");
        Assert.Equal((1.0, 0.0), await CountsAsync(west));
        Assert.Empty((await Ioc.Get<ReportPage>($"/api/v1/reports?area={district}&overdue=true")).Items);
    }

    [Fact]
    public async Task A_citizen_files_without_a_token_tracks_the_report_by_its_id_and_is_held_back_after_a_few()
    {
        var tag = Tag();
        var (district, _, _) = await TwoWardsAsync(Ioc, tag, AnonymousLon);
        using var citizen = api.CreateClient();

        // The public form: its page, the configured categories and the outlines to place a report on, without a token.
        var page = await citizen.GetAsync("/report");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("report-form", await page.Content.ReadAsStringAsync());
        var form = await citizen.Get<ReportForm>("/api/v1/reports/form");
        Assert.Contains(new ReportCategory("streetlight", Sector.Lighting, 72), form.Categories);
        Assert.Equal(["flooding", "noise", "other", "pothole", "streetlight", "waste"], form.Categories.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Contains(form.Areas, a => a.Id == district && a.Boundary.Count >= 4);

        var filed = await citizen.PostJson("/api/v1/reports", Body("streetlight", AnonymousLon + 0.05, text: "Đèn tắt"));
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var receipt = await filed.ReadObject();
        var id = (string)receipt["id"]!;
        Assert.Equal("received", (string)receipt["state"]!);
        Assert.Null(receipt["contact"]);
        Assert.Null(receipt["text"]);
        Assert.Equal($"/api/v1/reports/{id}/status", filed.Headers.Location?.ToString());
        var status = await citizen.Get<ReportStatus>($"/api/v1/reports/{id}/status");
        Assert.Equal((id, "streetlight", ReportState.Received), (status.Id, status.Category, status.State));
        Assert.Equal("citizen", (await Ioc.Get<ReportView>($"/api/v1/reports/{id}")).Steps[0].By);
        // Tracking shows the state alone; the report itself is for the OCs.
        Assert.Equal(HttpStatusCode.Unauthorized, (await citizen.GetAsync($"/api/v1/reports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await citizen.GetAsync("/api/v1/reports")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await citizen.PostJson($"/api/v1/reports/{id}/assign", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await citizen.GetAsync($"/api/v1/reports/{Guid.NewGuid():N}/status")).StatusCode);

        // This address may file three without a token; the next waits, however the path is cased (routing ignores case).
        HttpResponseMessage? refused = null;
        var accepted = 0;
        for (var i = 0; i < 3 && refused is null; i++)
        {
            var response = await citizen.PostJson("/API/V1/Reports", Body("noise", AnonymousLon + 0.05, text: $"Karaoke lúc nửa đêm {tag} {i}"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                accepted++;
            }
        }
        Assert.NotNull(refused);
        Assert.Equal(2, accepted);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a refused citizen is told when to retry");
        Assert.Equal(429, (int)(await refused.ReadObject())["status"]!);
        // The refused report was not stored.
        Assert.Equal(accepted, (await Ioc.Get<ReportPage>("/api/v1/reports?category=noise&limit=1000")).Items.Count(r => r.Text.Contains(tag, StringComparison.Ordinal)));
        // The city's own callers file with a token, counted as their other writes are.
        await FileAsync(Ioc, Body("noise", AnonymousLon + 0.05, text: "Công trình ồn ban đêm"));
    }

    [Fact]
    public async Task A_report_is_filed_by_a_citizen_unless_staff_file_it_and_its_public_status_names_neither_filer_nor_contact()
    {
        var tag = Tag();
        var (_, west, _) = await TwoWardsAsync(Ioc, tag, FilerLon);
        using var anonymous = api.CreateClient();
        using var viewer = api.CreateClient(TwinRoles.Viewer);
        using var wardOc = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        var byViewer = await FileAsync(viewer, Body("pothole", FilerLon + 0.05, text: $"Ổ gà lớn {tag}"));
        var byStaff = await FileAsync(wardOc, Body("pothole", FilerLon + 0.05, text: $"Người dân gọi điện báo ổ gà {tag}"));

        // The token's subject is kept only for staff filing on a caller's behalf; a viewer's token is no staff's (a filing
        // without a token is a citizen's too: the anonymous test above, which this one leaves the address's quota to).
        async Task<string> FiledByAsync(string id) => (await Ioc.Get<ReportView>($"/api/v1/reports/{id}")).Steps[0].By;
        Assert.Equal(ReportsApi.Citizen, await FiledByAsync(byViewer));
        Assert.Equal("test", await FiledByAsync(byStaff));

        foreach (var id in new[] { byViewer, byStaff })
        {
            var status = await anonymous.GetAsync($"/api/v1/reports/{id}/status");
            var json = await status.Content.ReadAsStringAsync();
            Assert.Equal(["category", "createdAt", "id", "state", "updatedAt"],
                JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.DoesNotContain("test", json, StringComparison.Ordinal);
            Assert.DoesNotContain("0905", json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_retried_filing_or_step_files_nothing_twice_and_makes_good_an_area_count_left_behind()
    {
        var tag = Tag();
        var (_, west, _) = await TwoWardsAsync(Ioc, tag, RetryLon);
        var ward = api.Services.GetRequiredService<IGrainFactory>().GetGrain<IDistrictGrain>(west);
        async Task<double?> OpenAsync() => (await Ioc.Get<DistrictView>($"/api/v1/areas/{west}")).Kpis.OpenReports?.Value;
        // A token holder, as anonymous filings from this address are rate-limited in another test.
        using var citizen = api.CreateClient(TwinRoles.DistrictOc, districts: [west]);
        Task<HttpResponseMessage> FileOnceAsync(HttpClient http, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports")
            {
                Content = new StringContent(Body("pothole", RetryLon + 0.05, text: $"Ổ gà {tag}"), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(ReportsApi.IdempotencyKeyHeader, key);
            return http.SendAsync(request);
        }

        var key = Guid.NewGuid().ToString();
        var first = await FileOnceAsync(citizen, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (string)(await first.ReadObject())["id"]!;
        await Eventually.Until(OpenAsync, c => c == 1, TimeSpan.FromSeconds(15), "the ward counts the report");
        // As if the area's write had failed after the report was stored: the retry with the same key makes it good.
        await ward.UntrackReport(id);
        await Eventually.Until(OpenAsync, c => c == 0, TimeSpan.FromSeconds(15), "the ward lost the report");
        var retry = await FileOnceAsync(citizen, key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(id, (string)(await retry.ReadObject())["id"]!);
        await Eventually.Until(OpenAsync, c => c == 1, TimeSpan.FromSeconds(15), "the retry counts the report again");
        Assert.Equal([id], (await Ioc.Get<ReportPage>($"/api/v1/reports?area={west}")).Items.Select(r => r.Id));
        // The same key from another caller is another report.
        var other = await FileOnceAsync(Ioc, key);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.NotEqual(id, (string)(await other.ReadObject())["id"]!);
        var tooLong = await FileOnceAsync(citizen, new string('k', ReportsApi.MaxIdempotencyKeyLength + 1));
        Assert.Equal([ReportsApi.IdempotencyKeyHeader], await tooLong.ProblemFields());
        await Eventually.Until(OpenAsync, c => c == 2, TimeSpan.FromSeconds(15), "the ward counts both reports");

        // As if the area's write had failed after a resolve was stored: the retried resolve answers 409 resolved, and the
        // ward no longer counts the report.
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(Ioc, id, "assign")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ActAsync(Ioc, id, "resolve")).StatusCode);
        await ward.TrackReport(new OpenReport(id, Sector.Traffic, DateTimeOffset.UtcNow.AddDays(1)));
        await Eventually.Until(OpenAsync, c => c == 2, TimeSpan.FromSeconds(15), "the ward counts the resolved report again");
        var again = await ActAsync(Ioc, id, "resolve");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("resolved", (string)(await again.ReadObject())["state"]!);
        await Eventually.Until(OpenAsync, c => c == 1, TimeSpan.FromSeconds(15), "the retry takes the resolved report off the count");
    }

    [Fact]
    public async Task A_category_routed_to_no_sector_is_refused_when_filed_and_a_sector_with_categories_or_open_reports_stays()
    {
        var unroutable = await Ioc.PostJson("/api/v1/reports", Body("drainage", RetryLon + 0.05));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unroutable.StatusCode);
        Assert.Equal("Category not routable", (string)(await unroutable.ReadObject())["title"]!);
        Assert.DoesNotContain("drainage", (await Ioc.Get<ReportForm>("/api/v1/reports/form")).Categories.Select(c => c.Name));

        var sectors = System.Text.Json.Nodes.JsonNode.Parse(await Ioc.GetStringAsync("/api/v1/sectors"))!.AsArray();
        var withoutLighting = new System.Text.Json.Nodes.JsonArray([.. sectors.Where(s => (string)s!["id"]! != "lighting").Select(s => s!.DeepClone())]);
        var removal = await Ioc.PutAsync("/api/v1/sectors", new StringContent(withoutLighting.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, removal.StatusCode);
        Assert.Contains("sector 'lighting' has 1 report categories (e.g. 'streetlight')", (string)(await removal.ReadObject())["detail"]!);
        Assert.Contains((await Ioc.Get<ReportForm>("/api/v1/reports/form")).Categories, c => c.Name == "streetlight");
    }
}
