using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Api.History;
using IocTwin.Model;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// The temporal API served from history: readings posted through the REST ingest at known past times come back as
/// attribute instances, simplified values and aggregates, for what the caller's token covers.
/// </summary>
[Collection(NgsiLdCollection.Name)]
public sealed class NgsiLdTemporalTests(NgsiLdTwinFactory api)
{
    private HttpClient Http => api.Http;

    private sealed record Posted(DateTimeOffset At, double Speed, double Flow, double Occupancy);

    private static string T(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));

    /// <summary>The start of an hour some hours ago: a window no other test posts in, aligned to whole hours and minutes.</summary>
    private static DateTimeOffset HourAgo(int hours)
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-hours);
    }

    /// <summary>A traffic counter of son-tra that no other NGSI-LD test writes to (they take the first counters).</summary>
    private async Task<SensorView> Counter(int fromEnd = 0) =>
        (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).Where(s => s.Kind == SensorKind.TrafficCounter).Reverse().ElementAt(fromEnd);

    private async Task PostAll(string sensorId, IEnumerable<Posted> readings)
    {
        var response = await Http.PostReadings([.. readings.Select(r => Reading(sensorId, r.At, new { speed = r.Speed, flow = r.Flow, occupancy = r.Occupancy }))]);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<JsonObject> Temporal(string path, HttpClient? client = null)
    {
        var (status, body, _) = await (client ?? Http).Ngsi(path, NgsiLdClient.SdmLink);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {body}");
        return body!.AsObject();
    }

    private static List<double> Values(JsonNode entity, string attribute) =>
        [.. entity[attribute]!.AsArray().Select(i => (double)i!["value"]!)];

    [Fact]
    public async Task Instances_come_back_per_timerel_with_lastN_and_as_temporal_values()
    {
        var sensor = await Counter();
        var start = HourAgo(5);
        Posted[] posted =
        [
            new(start.AddMinutes(5), 30, 600, 20), new(start.AddMinutes(15), 40, 700, 30),
            new(start.AddMinutes(25), 50, 800, 40), new(start.AddMinutes(65), 60, 900, 50),
        ];
        await PostAll(sensor.Id, posted);
        var id = $"urn:ngsi-ld:TrafficFlowObserved:{sensor.Id}";

        var between = await Temporal($"/temporal/entities/{id}?timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddHours(2))}");
        Assert.Equal(id, (string)between["id"]!);
        Assert.Equal("TrafficFlowObserved", (string)between["type"]!);
        Assert.Equal(posted.Select(p => p.Speed), Values(between, "averageVehicleSpeed"));
        Assert.Equal(posted.Select(p => p.Flow), Values(between, "intensity"));
        // Occupancy in the model's 0–1, as the live entity has it.
        Assert.Equal(posted.Select(p => p.Occupancy / 100), Values(between, "occupancy"));
        var first = between["averageVehicleSpeed"]![0]!;
        Assert.Equal("Property", (string)first["type"]!);
        Assert.Equal("KMH", (string)first["unitCode"]!);
        Assert.Equal(posted[0].At, DateTimeOffset.Parse((string)first["observedAt"]!));

        var before = await Temporal($"/temporal/entities/{id}?timerel=before&timeAt={T(posted[2].At)}&attrs=averageVehicleSpeed");
        Assert.Equal(posted.Where(p => p.At < posted[2].At).Select(p => p.Speed), Values(before, "averageVehicleSpeed"));
        Assert.Null(before["intensity"]);

        // After timeAt excludes the instant itself; readings other tests post now on this counter would follow.
        var after = await Temporal($"/temporal/entities/{id}?timerel=after&timeAt={T(posted[1].At)}&attrs=averageVehicleSpeed");
        var afterValues = Values(after, "averageVehicleSpeed");
        Assert.Equal(posted.Where(p => p.At > posted[1].At).Select(p => p.Speed), afterValues.Take(2));

        var lastTwo = await Temporal($"/temporal/entities/{id}?timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddHours(2))}&lastN=2");
        Assert.Equal(posted[^2..].Select(p => p.Speed), Values(lastTwo, "averageVehicleSpeed"));

        var simplified = await Temporal($"/temporal/entities/{id}?timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddHours(2))}&options=temporalValues");
        var values = simplified["averageVehicleSpeed"]!["values"]!.AsArray();
        Assert.Equal(posted.Select(p => p.Speed), values.Select(v => (double)v![0]!));
        Assert.Equal(posted.Select(p => p.At), values.Select(v => DateTimeOffset.Parse((string)v![1]!)));
    }

    [Fact]
    public async Task Aggregates_per_period_are_those_of_the_posted_readings()
    {
        var sensor = await Counter(1);
        var start = HourAgo(8);
        Posted[] posted =
        [
            new(start.AddMinutes(5).AddSeconds(10), 31, 610, 21), new(start.AddMinutes(5).AddSeconds(40), 45, 720, 33),
            new(start.AddMinutes(6).AddSeconds(20), 52, 830, 44), new(start.AddMinutes(70), 64, 940, 55),
        ];
        await PostAll(sensor.Id, posted);
        var id = $"urn:ngsi-ld:TrafficFlowObserved:{sensor.Id}";
        var window = $"timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddHours(2))}";

        foreach (var period in new[] { TimeSpan.FromHours(1), TimeSpan.FromMinutes(1) })
        {
            var iso = period == TimeSpan.FromHours(1) ? "PT1H" : "PT1M";
            var answer = await Temporal($"/temporal/entities/{id}?{window}&options=aggregatedValues&aggrMethods=totalCount,sum,avg,min,max&aggrPeriodDuration={iso}");
            var groups = posted.GroupBy(p => start + period * Math.Floor((p.At - start) / period)).OrderBy(g => g.Key).ToList();
            var speed = answer["averageVehicleSpeed"]!;
            Assert.Equal("Property", (string)speed["type"]!);
            void Check(string method, Func<IGrouping<DateTimeOffset, Posted>, double> expected, JsonNode aggregate)
            {
                var rows = aggregate[method]!.AsArray();
                Assert.Equal(groups.Count, rows.Count);
                for (var i = 0; i < groups.Count; i++)
                {
                    Assert.Equal(expected(groups[i]), (double)rows[i]![0]!, 9);
                    Assert.Equal(groups[i].Key, DateTimeOffset.Parse((string)rows[i]![1]!));
                    Assert.Equal(groups[i].Key + period, DateTimeOffset.Parse((string)rows[i]![2]!));
                }
            }
            Check("totalCount", g => g.Count(), speed);
            Check("sum", g => g.Sum(p => p.Speed), speed);
            Check("avg", g => g.Average(p => p.Speed), speed);
            Check("min", g => g.Min(p => p.Speed), speed);
            Check("max", g => g.Max(p => p.Speed), speed);
            Check("avg", g => g.Average(p => p.Occupancy) / 100, answer["occupancy"]!);
        }

        // Without a period, the whole window is one.
        var whole = await Temporal($"/temporal/entities/{id}?{window}&aggrMethods=max,totalCount&attrs=intensity");
        Assert.Equal(posted.Max(p => p.Flow), (double)whole["intensity"]!["max"]![0]![0]!);
        Assert.Equal(posted.Length, (int)whole["intensity"]!["totalCount"]![0]![0]!);
        Assert.Null(whole["intensity"]!["avg"]);
    }

    [Fact]
    public async Task A_temporal_query_selects_entities_like_the_live_one_by_get_and_by_post()
    {
        var sensor = await Counter(2);
        var start = HourAgo(11);
        Posted[] posted = [new(start.AddMinutes(1), 33, 500, 10), new(start.AddMinutes(2), 35, 520, 12)];
        await PostAll(sensor.Id, posted);
        var id = $"urn:ngsi-ld:TrafficFlowObserved:{sensor.Id}";
        var window = $"timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddMinutes(30))}";

        var (status, body, response) = await Http.Ngsi($"/temporal/entities?type=TrafficFlowObserved&id={id}&{window}&count=true", NgsiLdClient.SdmLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", response.Headers.GetValues("NGSILD-Results-Count").Single());
        Assert.Equal(posted.Select(p => p.Speed), Values(body!.AsArray().Single()!, "averageVehicleSpeed"));

        var byPattern = await Http.Ngsi(
            $"/temporal/entities?type=TrafficFlowObserved&idPattern={Uri.EscapeDataString(".*:" + sensor.Id + "$")}&{window}&attrs=intensity&options=temporalValues",
            NgsiLdClient.SdmLink);
        var selected = byPattern.Body!.AsArray().Single()!;
        Assert.Equal(posted.Select(p => p.Flow), selected["intensity"]!["values"]!.AsArray().Select(v => (double)v![0]!));
        Assert.Null(selected["averageVehicleSpeed"]);

        var query = $$$"""
            {"type":"Query","entities":[{"type":"TrafficFlowObserved","id":"{{{id}}}"}],"attrs":["averageVehicleSpeed"],
             "temporalQ":{"timerel":"between","timeAt":"{{{start.AddSeconds(90):O}}}","endTimeAt":"{{{start.AddMinutes(30):O}}}"}}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{NgsiLdClient.Api}/temporal/entityOperations/query?options=temporalValues")
        {
            Content = new StringContent(query, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Link", NgsiLdClient.SdmLink);
        var posting = await Http.SendAsync(request);
        var text = await posting.Content.ReadAsStringAsync();
        Assert.True(posting.StatusCode == HttpStatusCode.OK, text);
        var entity = JsonNode.Parse(text)!.AsArray().Single()!;
        Assert.Equal(id, (string)entity["id"]!);
        Assert.Equal([posted[1].Speed], entity["averageVehicleSpeed"]!["values"]!.AsArray().Select(v => (double)v![0]!));
        Assert.Null(entity["intensity"]);

        using var incomplete = new HttpRequestMessage(HttpMethod.Post, $"{NgsiLdClient.Api}/temporal/entityOperations/query")
        {
            Content = new StringContent("""{"type":"Query","entities":[{"type":"TrafficFlowObserved"}],"temporalQ":{"timerel":"after"}}""", Encoding.UTF8, "application/json"),
        };
        var refused = await Http.SendAsync(incomplete);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(IocTwin.Api.NgsiLd.NgsiLdProblems.Base + "BadRequestData", (string)problem["type"]!);
        Assert.StartsWith("timeAt:", (string)problem["detail"]!);
    }

    [Fact]
    public async Task A_roads_traffic_comes_from_its_kpi_history_in_the_units_of_the_live_entity()
    {
        var (segment, counter) = await Http.SoleCounterSegment("ngu-hanh-son");
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        const double speed = 23, occupancy = 35;
        await Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed, flow = 950, occupancy }));
        var id = $"urn:ngsi-ld:TrafficFlowObserved:{segment.Id}";

        // KPIs are written off the ingest path, once per step.
        var traffic = await Eventually.Until(() => Temporal($"/temporal/entities/{id}?timerel=after&timeAt={T(since)}"),
            e => e["averageVehicleSpeed"] is JsonArray speeds && speeds.Any(i => (double)i!["value"]! == speed),
            TimeSpan.FromSeconds(20), "the road's speed is in its history");
        var instance = traffic["occupancy"]!.AsArray().Last()!;
        Assert.Equal(occupancy / 100, (double)instance["value"]!, 9);
        Assert.Equal("C62", (string)instance["unitCode"]!);
        Assert.True(DateTimeOffset.Parse((string)instance["observedAt"]!) > since);

        // A road's own entity has no history: its attributes are not temporal.
        var road = await Temporal($"/temporal/entities/urn:ngsi-ld:RoadSegment:{segment.Id}?timerel=after&timeAt={T(since)}");
        Assert.Equal(["id", "type"], road.Select(p => p.Key));
    }

    [Fact]
    public async Task More_instances_than_one_answer_holds_come_as_partial_content_of_the_oldest()
    {
        var maxPoints = api.Services.GetRequiredService<IOptions<HistoryQueryOptions>>().Value.MaxPoints;
        var sensor = (await Http.Get<List<SensorView>>("/api/v1/districts/hoa-vang/sensors")).Last(s => s.Kind == SensorKind.AirQuality);
        var start = HourAgo(14);
        var readings = Enumerable.Range(0, maxPoints + 1).Select(i => (At: start.AddSeconds(i), Aqi: 20 + i % 200)).ToList();
        var response = await Http.PostReadings([.. readings.Select(r => Reading(sensor.Id, r.At, new { aqi = r.Aqi }))]);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = $"urn:ngsi-ld:AirQualityObserved:{sensor.Id}";
        var window = $"timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddHours(1))}&attrs=airQualityIndex";

        var (status, body, partial) = await Http.Ngsi($"/temporal/entities/{id}?{window}", NgsiLdClient.SdmLink);
        Assert.Equal(HttpStatusCode.PartialContent, status);
        Assert.Equal($"date-time {start:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}-{start.AddHours(1):yyyy-MM-dd'T'HH:mm:ss.fff'Z'}/*", 
            partial.Content.Headers.NonValidated["Content-Range"].ToString());
        Assert.Equal(readings.Take(maxPoints).Select(r => (double)r.Aqi), Values(body!, "airQualityIndex"));

        var newest = await Temporal($"/temporal/entities/{id}?{window}&lastN=3");
        Assert.Equal(readings.TakeLast(3).Select(r => (double)r.Aqi), Values(newest, "airQualityIndex"));
        var counted = await Temporal($"/temporal/entities/{id}?{window}&aggrMethods=totalCount,max");
        Assert.Equal(readings.Count, (int)counted["airQualityIndex"]!["totalCount"]![0]![0]!);
        Assert.Equal(readings.Max(r => r.Aqi), (double)counted["airQualityIndex"]!["max"]![0]![0]!);
    }

    [Fact]
    public async Task A_district_oc_gets_history_of_its_districts_only()
    {
        using var oc = api.CreateClient(TwinRoles.DistrictOc, districts: ["son-tra"]);
        var elsewhere = (await Http.Get<List<SensorView>>("/api/v1/districts/hai-chau/sensors")).First(s => s.Kind == SensorKind.TrafficCounter);
        var start = HourAgo(3);
        await PostAll(elsewhere.Id, [new(start.AddMinutes(3), 44, 640, 25)]);
        var window = $"timerel=between&timeAt={T(start)}&endTimeAt={T(start.AddHours(1))}";

        (await oc.Ngsi($"/temporal/entities/urn:ngsi-ld:TrafficFlowObserved:{elsewhere.Id}?{window}", NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        Assert.NotEmpty(Values(await Temporal($"/temporal/entities/urn:ngsi-ld:TrafficFlowObserved:{elsewhere.Id}?{window}"), "averageVehicleSpeed"));

        var own = (await Http.Get<List<SensorView>>("/api/v1/districts/son-tra/sensors")).Select(s => s.Id).ToHashSet();
        var (status, body, _) = await oc.Ngsi($"/temporal/entities?type=TrafficFlowObserved&{window}&limit=100", NgsiLdClient.SdmLink);
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = body!.AsArray().Select(e => ((string)e!["id"]!).Split(':')[^1]).ToList();
        Assert.NotEmpty(ids);
        Assert.DoesNotContain(elsewhere.Id, ids);
        var segments = (await Http.Get<List<SegmentView>>("/api/v1/districts/son-tra/segments")).Select(s => s.Id).ToHashSet();
        Assert.All(ids, localId => Assert.True(own.Contains(localId) || segments.Contains(localId), $"{localId} is not son-tra's"));
    }

    [Theory]
    [InlineData("timerel=during&timeAt=2026-01-01T00:00:00Z", "timerel")]
    [InlineData("timerel=before", "timeAt")]
    [InlineData("timeAt=2026-01-01T00:00:00Z", "timerel")]
    [InlineData("timerel=between&timeAt=2026-01-01T00:00:00Z", "endTimeAt")]
    [InlineData("timerel=between&timeAt=2026-01-01T00:00:00Z&endTimeAt=2025-12-31T00:00:00Z", "endTimeAt")]
    [InlineData("timerel=between&timeAt=2026-01-01T00:00:00Z&endTimeAt=2026-03-01T00:00:00Z", "endTimeAt")]
    [InlineData("timerel=after&timeAt=yesterday", "timeAt")]
    [InlineData("timerel=after&timeAt=2026-01-01T00:00:00", "timeAt")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&lastN=0", "lastN")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&aggrMethods=median", "aggrMethods")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&options=aggregatedValues", "aggrMethods")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&aggrMethods=avg&aggrPeriodDuration=P1M", "aggrPeriodDuration")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&aggrMethods=avg&aggrPeriodDuration=PT1S", "aggrPeriodDuration")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&options=keyValues", "options")]
    [InlineData("timerel=before&timeAt=2026-01-01T00:00:00Z&datasetId=radar", "datasetId")]
    public async Task Bad_temporal_parameters_are_bad_request_data_naming_the_parameter(string query, string parameter)
    {
        var sensor = await Counter();
        foreach (var path in new[] { $"/temporal/entities/urn:ngsi-ld:TrafficFlowObserved:{sensor.Id}?{query}", $"/temporal/entities?type=TrafficFlowObserved&{query}" })
        {
            var answer = await Http.Ngsi(path, NgsiLdClient.SdmLink);
            answer.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
            Assert.StartsWith(parameter + ":", (string)answer.Body!["detail"]!);
        }
    }

    [Fact]
    public async Task A_query_of_many_entities_needs_a_time_and_pages_of_at_most_a_hundred()
    {
        var answer = await Http.Ngsi("/temporal/entities?type=TrafficFlowObserved", NgsiLdClient.SdmLink);
        answer.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.StartsWith("timerel:", (string)answer.Body!["detail"]!);
        var paged = await Http.Ngsi("/temporal/entities?type=TrafficFlowObserved&timerel=before&timeAt=2026-01-01T00:00:00Z&limit=101", NgsiLdClient.SdmLink);
        paged.AssertProblem(HttpStatusCode.BadRequest, "BadRequestData");
        Assert.StartsWith("limit:", (string)paged.Body!["detail"]!);
        (await Http.Ngsi("/temporal/entities/urn:ngsi-ld:TrafficFlowObserved:no-such-sensor", NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }
}
