using System.Net;
using System.Text.Json;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;
using IocTwin.Tests.Streaming;
using static IocTwin.Tests.Api.TwinApiClient;
using static IocTwin.Tests.Areas.AreaCities;

namespace IocTwin.Tests.Areas;

/// <summary>
/// Two API processes on one cluster: a move made through one reaches the other's access and screens at once, not when
/// the moved area next publishes (an area with nothing in it never does).
/// </summary>
public sealed class TopologyAcrossProcessesTests(TopologyAcrossProcessesTests.TwoProcesses processes)
    : IClassFixture<TopologyAcrossProcessesTests.TwoProcesses>
{
    /// <summary>The API with its silo; its settings are kept, so that the second process joins the same cluster and database.</summary>
    public sealed class FirstProcess : TwinApiFactory
    {
        private IDictionary<string, string?>? _settings;
        protected override IDictionary<string, string?> Settings => _settings ??= base.Settings;
        public IReadOnlyDictionary<string, string?> Shared => (IReadOnlyDictionary<string, string?>)Settings;
    }

    /// <summary>An API process of its own, a client of the first one's silo.</summary>
    public sealed class SecondProcess(FirstProcess first) : TwinApiFactory
    {
        protected override IDictionary<string, string?> Settings =>
            new Dictionary<string, string?>(first.Shared) { ["Twin:Mode"] = "Client" };
    }

    public sealed class TwoProcesses : IAsyncLifetime
    {
        public FirstProcess First { get; } = new();
        public SecondProcess Second { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await First.InitializeAsync();
            Second = new SecondProcess(First);
            await Second.InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
        }
    }

    private HttpClient Ioc => processes.First.Http;

    [Fact]
    public async Task An_empty_ward_moved_through_one_API_process_reaches_the_other_districts_OC_there()
    {
        var tag = Tag();
        var (first, second, ward) = ($"da-{tag}", $"db-{tag}", $"w-{tag}");
        await ImportAsync(Ioc,
            Area(first, "district", null, 105.0, 10.0, 105.2, 10.2),
            Area(second, "district", null, 104.9, 9.9, 105.3, 10.3),
            Area(ward, "ward", first, 105.0, 10.0, 105.1, 10.2));
        using var secondOc = processes.Second.CreateClient(TwinRoles.DistrictOc, districts: [second]);
        Assert.Equal(HttpStatusCode.Forbidden, (await secondOc.GetAsync($"/api/v1/areas/{ward}")).StatusCode);

        var moved = await Ioc.PutJson($"/api/v1/areas/{ward}", JsonSerializer.Serialize(new
        {
            name = $"Khu {ward}", kind = "ward", parentId = second,
            boundary = new[] { new[] { 105.0, 10.0 }, new[] { 105.1, 10.0 }, new[] { 105.1, 10.2 }, new[] { 105.0, 10.2 } },
        }));
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());

        await Eventually.Until(async () => (await secondOc.GetAsync($"/api/v1/areas/{ward}")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "the other API process hears of the move");
        using var firstOc = processes.Second.CreateClient(TwinRoles.DistrictOc, districts: [first]);
        Assert.Equal(HttpStatusCode.Forbidden, (await firstOc.GetAsync($"/api/v1/areas/{ward}")).StatusCode);
    }

    [Fact]
    public async Task A_segment_moved_to_another_ward_through_one_API_process_resyncs_the_first_wards_screens_on_the_other()
    {
        var tag = Tag();
        var (district, west, east) = ($"d-{tag}", $"w1-{tag}", $"w2-{tag}");
        await ImportAsync(Ioc,
            Area(district, "district", null, 106.0, 10.0, 106.2, 10.2),
            Area(west, "ward", district, 106.0, 10.0, 106.1, 10.2),
            Area(east, "ward", district, 106.1, 10.0, 106.2, 10.2),
            CountedSegment($"s-{tag}", west, 106.03, 10.1));
        var api = processes.Second;
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: [west]));
        Assert.Contains($"s-{tag}", (await screen.Subscribe($"area:{west}")).Segments.Select(s => s.Id));

        var segment = await Ioc.Get<SegmentView>($"/api/v1/segments/s-{tag}");
        var moved = await Ioc.PutJson($"/api/v1/segments/s-{tag}", JsonSerializer.Serialize(new
        {
            name = segment.Spec!.Name, districtId = east, fromNode = segment.Spec.FromNode, toNode = segment.Spec.ToNode,
            geometry = segment.Spec.Geometry.Select(p => new[] { p.Lon, p.Lat }),
        }));
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());

        await Eventually.Until(() => Task.FromResult(screen.Resyncs), r => r.Any(f => f.Scope == $"area:{west}"),
            TimeSpan.FromSeconds(10), "the first ward's screen on the other process is told to take a new snapshot");
        Assert.DoesNotContain($"s-{tag}", (await screen.Subscribe($"area:{west}")).Segments.Select(s => s.Id));
    }

    [Fact]
    public async Task A_segment_moved_to_another_ward_by_an_import_resyncs_the_first_wards_screens_on_the_other()
    {
        var tag = Tag();
        var (district, west, east) = ($"d-{tag}", $"w1-{tag}", $"w2-{tag}");
        await ImportAsync(Ioc,
            Area(district, "district", null, 107.0, 10.0, 107.2, 10.2),
            Area(west, "ward", district, 107.0, 10.0, 107.1, 10.2),
            Area(east, "ward", district, 107.1, 10.0, 107.2, 10.2),
            CountedSegment($"s-{tag}", west, 107.03, 10.1));
        var api = processes.Second;
        await using var screen = await LiveScreen.ConnectAsync(api, api.Token(TwinRoles.DistrictOc, districts: [west]));
        Assert.Contains($"s-{tag}", (await screen.Subscribe($"area:{west}")).Segments.Select(s => s.Id));

        // The same segment and its counter sent again, now in the east ward.
        await ImportAsync(Ioc, CountedSegment($"s-{tag}", east, 107.13, 10.1));

        await Eventually.Until(() => Task.FromResult(screen.Resyncs), r => r.Any(f => f.Scope == $"area:{west}"),
            TimeSpan.FromSeconds(10), "the first ward's screen on the other process is told to take a new snapshot");
        Assert.DoesNotContain($"s-{tag}", (await screen.Subscribe($"area:{west}")).Segments.Select(s => s.Id));
    }
}
