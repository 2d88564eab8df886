using System.Net;
using IocTwin.Api.Access;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using IocTwin.Topology;

namespace IocTwin.Tests.Streaming;

/// <summary>A twin whose test waits for nothing: it starts the server and leaves the rest to the test.</summary>
public sealed class StartingTwinApiFactory : TwinApiFactory
{
    public override Task InitializeAsync()
    {
        StartServer();
        Http = CreateClient(TwinRoles.Ioc);
        return Task.CompletedTask;
    }
}

public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_turns_green_only_once_the_sample_city_is_whole_and_a_screen_gets_all_of_it()
    {
        var sample = GeoJsonCityReader.LoadSample();
        var twin = new StartingTwinApiFactory();
        await twin.InitializeAsync();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((await twin.Http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
            {
                // Liveness is separate: the process answers while the twin loads.
                Assert.Equal(HttpStatusCode.OK, (await twin.Http.GetAsync("/health/live")).StatusCode);
                Assert.True(DateTime.UtcNow < deadline, "the twin became ready");
                await Task.Delay(20);
            }

            // The first screen to trust readiness sees the whole city at once.
            await using var check = await NodeCheck.StartAsync("hub-contract.mjs", "subscribe", LiveScreen.HubUrl(twin).ToString(),
                twin.Token(TwinRoles.Ioc), "city");
            var city = await check.NextAsync();
            Assert.Equal("subscribed", (string?)city["status"]);
            Assert.Equal(sample.Districts.Count, (int)city["districts"]!);
            Assert.Equal(sample.Segments.Count, (int)city["segments"]!);
            Assert.Equal(sample.Sensors.Count, (int)city["sensors"]!);
            var districts = await twin.Http.Get<List<IocTwin.Model.DistrictView>>("/api/v1/districts");
            Assert.Equal(sample.Sensors.Count, districts.Sum(d => d.SensorCount));
        }
        finally
        {
            await ((IAsyncLifetime)twin).DisposeAsync();
        }
    }
}
