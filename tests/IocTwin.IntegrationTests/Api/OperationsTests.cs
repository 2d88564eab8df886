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

        Assert.Contains("orleans_catalog_activations", metrics);
        Assert.Contains("http_server_request_duration", metrics);
        // Gauges that walk every activation on each scrape are left out: at a million sensors one took seconds of CPU.
        Assert.DoesNotContain("orleans_messaging_processing_activation_data", metrics);
        Assert.DoesNotContain("orleans_directory_cache_size", metrics);
    }

    [Fact]
    public async Task The_embedded_run_serves_the_Orleans_dashboard()
    {
        var response = await api.Http.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_dashboard_lists_the_grain_methods_that_take_readings()
    {
        var (_, counter) = await api.Http.CountedSegment("hoa-vang");

        // Its top methods: those of the twin's grains, whichever lead the calls (other tests call them too).
        var methods = await DashboardMethodsWhileFeedingAsync(api.Http, counter.Id, TimeSpan.FromSeconds(60), m => m.Contains(TwinGrains));

        Assert.Contains(TwinGrains, methods);
    }

    /// <summary>How the dashboard names the twin's grain classes.</summary>
    internal const string TwinGrains = "IocTwin.Grains.";

    /// <summary>
    /// Reads the dashboard's top grain methods while readings keep coming, until <paramref name="done"/> holds or the
    /// time is up; the last answer.
    /// </summary>
    internal static async Task<string> DashboardMethodsWhileFeedingAsync(HttpClient http, string sensorId, TimeSpan within, Func<string, bool> done)
    {
        var until = DateTimeOffset.UtcNow + within;
        var methods = "";
        while (DateTimeOffset.UtcNow < until && !done(methods))
        {
            await http.PostReadings(Reading(sensorId, DateTimeOffset.UtcNow, new { speed = 40 }));
            // As the dashboard page polls: its queries are what switch its profiler on.
            await http.GetStringAsync("/dashboard/DashboardCounters");
            methods = await http.GetStringAsync("/dashboard/TopGrainMethods");
            await Task.Delay(500);
        }
        return methods;
    }
}
