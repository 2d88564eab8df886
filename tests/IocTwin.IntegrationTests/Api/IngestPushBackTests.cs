using System.Net;
using IocTwin.Api.Ingest;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>A twin whose ingest budget is two readings, with no waiting: a third reading in flight is refused at once.</summary>
public sealed class TinyIngestBudgetFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:Ingest:MaxReadingsInFlight"] = "2",
        ["Twin:Ingest:MaxReadingsWaiting"] = "0",
        ["Twin:Ingest:MaxWait"] = "00:00:00",
        ["Twin:Ingest:RetryAfter"] = "00:00:03",
    };

    public IngestAdmission Admission => Services.GetRequiredService<IngestAdmission>();
}

[CollectionDefinition(Name)]
public sealed class TinyIngestBudgetCollection : ICollectionFixture<TinyIngestBudgetFactory>
{
    public const string Name = "tiny ingest budget";
}

[Collection(TinyIngestBudgetCollection.Name)]
public sealed class IngestPushBackTests(TinyIngestBudgetFactory api)
{
    private HttpClient Http => api.Http;

    [Fact]
    public async Task A_saturated_twin_answers_429_with_retry_after_stores_nothing_and_takes_the_batch_once_it_has_room()
    {
        var (_, counter) = await Http.CountedSegment("hai-chau");
        var before = (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        var reading = Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 33, flow = 900 });

        // Readings of other senders hold the whole budget, as a twin applying all it can.
        HttpResponseMessage refused;
        using (await api.Admission.EnterAsync(2))
        {
            refused = await Http.PostReadings(reading);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadObject();
        Assert.Equal(429, (int)problem["status"]!);
        Assert.Equal("ingest", (string)problem["limit"]!);
        Assert.Equal(before, (await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount);

        var accepted = await Http.PostReadings(reading);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var after = await Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}");
        Assert.Equal(before + 1, after.ReadingCount);
        Assert.Equal(33, after.LastReading!.Values["speed"]);
    }

    [Fact]
    public async Task Under_a_burst_every_acknowledged_reading_is_applied_and_every_refused_one_left_no_trace()
    {
        var districts = await Http.Get<List<DistrictView>>("/api/v1/districts");
        var counters = new List<SensorView>();
        foreach (var district in districts)
        {
            var sensors = await Http.Get<List<SensorView>>($"/api/v1/districts/{district.Id}/sensors");
            counters.AddRange(sensors.Where(s => s.Kind == SensorKind.TrafficCounter));
        }
        var before = counters.ToDictionary(c => c.Id, c => c.ReadingCount);
        var now = DateTimeOffset.UtcNow;

        // One reading per sensor per post, all posts at once: the budget of two lets some through and refuses others.
        var responses = await Task.WhenAll(counters.Select(c => Http.PostReadings(Reading(c.Id, now, new { speed = 41, flow = 800 }))));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        for (var i = 0; i < counters.Count; i++)
        {
            var sensor = await Http.Get<SensorView>($"/api/v1/sensors/{counters[i].Id}");
            // The answer came after the sensor applied the reading: no wait is needed to see it.
            var expected = responses[i].StatusCode == HttpStatusCode.Accepted ? before[counters[i].Id] + 1 : before[counters[i].Id];
            Assert.True(expected == sensor.ReadingCount,
                $"{counters[i].Id}: answered {(int)responses[i].StatusCode}, reading count {sensor.ReadingCount}, expected {expected}");
        }
        Assert.True(api.Admission.Available == 2, "every batch gave its share of the budget back");
    }
}
