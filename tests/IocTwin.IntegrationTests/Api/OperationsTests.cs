using System.Net;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

[Collection(TwinApiCollection.Name)]
public sealed class OperationsTests(TwinApiFactory api)
{
    [Fact]
    public async Task Metrics_are_scraped_by_Prometheus_and_count_ingest()
    {
        var (_, counter) = await api.Http.CountedSegment("hoa-vang");
        await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 40 }), Reading("no-such-sensor", DateTimeOffset.UtcNow, new { speed = 1 }));

        var metrics = await Eventually.Until(() => api.Http.GetStringAsync("/metrics"),
            m => m.Contains("ioctwin_readings_accepted") && m.Contains("ioctwin_readings_rejected"), TimeSpan.FromSeconds(20));

        Assert.Contains("orleans_", metrics);
        Assert.Contains("http_server_request_duration", metrics);
    }

    [Fact]
    public async Task The_embedded_run_serves_the_Orleans_dashboard()
    {
        var response = await api.Http.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("html", response.Content.Headers.ContentType?.MediaType);
    }
}
