using System.Net;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Api;

/// <summary>A twin whose Orleans dashboard is left out (<c>Twin:Dashboard:Enabled=false</c>), as a very big silo may run.</summary>
public sealed class DashboardOffTwinApiFactory : TwinApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Twin:Dashboard:Enabled"] = "false",
    };
}

public sealed class DashboardOffTests(DashboardOffTwinApiFactory api) : IClassFixture<DashboardOffTwinApiFactory>
{
    [Fact]
    public async Task With_the_dashboard_left_out_its_pages_are_not_found_and_the_twin_takes_readings_as_before()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/dashboard/DashboardCounters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/metrics")).StatusCode);

        var (_, counter) = await api.Http.CountedSegment("hoa-vang");
        var before = (await api.Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}")).ReadingCount;
        Assert.Equal(HttpStatusCode.Accepted, (await api.Http.PostReadings(Reading(counter.Id, DateTimeOffset.UtcNow, new { speed = 41, flow = 600 }))).StatusCode);
        await Eventually.Until(() => api.Http.Get<SensorView>($"/api/v1/sensors/{counter.Id}"), s => s.ReadingCount > before,
            because: "the reading reaches its sensor");
    }
}
