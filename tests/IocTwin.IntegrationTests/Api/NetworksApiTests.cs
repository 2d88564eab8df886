using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Access;
using IocTwin.Model;
using IocTwin.Tests.Infrastructure;

namespace IocTwin.Tests.Api;

/// <summary>
/// Published networks through the API: Sioux Falls (the unit tests' Simulation/Data/SiouxFalls) stored, assigned to a
/// stated gap and compared with the collection's best-known flows; bad files and callers refused.
/// </summary>
[Collection(TwinApiCollection.Name)]
public sealed class NetworksApiTests(TwinApiFactory api)
{
    private static readonly string SiouxFalls = Path.Combine(AppContext.BaseDirectory, "Simulation", "Data", "SiouxFalls");

    private static string Text(string suffix) => File.ReadAllText(Path.Combine(SiouxFalls, "SiouxFalls" + suffix));

    private static string Body(string? net = null, string? trips = null, bool withFlow = true, string name = "Sioux Falls") =>
        JsonSerializer.Serialize(new
        {
            name,
            net = net ?? Text("_net.tntp"),
            trips = trips ?? Text("_trips.tntp"),
            node = Text("_node.tntp"),
            flow = withFlow ? Text("_flow.tntp") : null,
        });

    private async Task<string> Store(bool withFlow = true)
    {
        var response = await api.Http.PostJson("/api/v1/networks", Body(withFlow: withFlow));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.ReadObject())["id"]!;
    }

    [Fact]
    public async Task Sioux_Falls_posted_and_assigned_to_1e_6_matches_the_best_known_flows()
    {
        var id = await Store();

        var summary = await (await api.Http.GetAsync($"/api/v1/networks/{id}")).ReadObject();
        Assert.Equal((24, 76, 24, true), ((int)summary["nodes"]!, (int)summary["links"]!, (int)summary["zones"]!, (bool)summary["hasBestKnownFlows"]!));
        var listed = JsonNode.Parse(await api.Http.GetStringAsync("/api/v1/networks"))!.AsArray();
        Assert.Contains(listed, n => (string)n!["id"]! == id);

        var response = await api.Http.PostAsync($"/api/v1/networks/{id}/assign?gap=1e-6", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.ReadObject();
        Assert.Equal("b", (string)result["algorithm"]!);
        Assert.True((bool)result["converged"]!);
        Assert.InRange((double)result["relativeGap"]!, 0, 1e-6);
        Assert.True((int)result["iterations"]! > 0);
        Assert.Equal(76, result["links"]!.AsArray().Count);
        var comparison = result["comparison"]!;
        Assert.InRange((double)comparison["maxRelativeFlowDifference"]!, 0, 1e-3);
        Assert.InRange((double)comparison["meanRelativeFlowDifference"]!, 0, (double)comparison["maxRelativeFlowDifference"]!);
        Assert.InRange(Math.Abs((double)comparison["relativeTotalSystemTravelTimeDifference"]!), 0, 1e-4);
        Assert.Equal((double)result["totalSystemTravelTime"]! - (double)comparison["bestKnownTotalSystemTravelTime"]!,
            (double)comparison["totalSystemTravelTimeDifference"]!, 6);
    }

    [Fact]
    public async Task Frank_Wolfe_stopped_early_says_it_did_not_converge_and_a_network_without_flows_has_no_comparison()
    {
        var id = await Store(withFlow: false);

        var result = await (await api.Http.PostAsync($"/api/v1/networks/{id}/assign?gap=1e-9&algorithm=frank-wolfe", null)).ReadObject();

        Assert.Equal("frank-wolfe", (string)result["algorithm"]!);
        Assert.False((bool)result["converged"]!);
        Assert.True((double)result["relativeGap"]! > 1e-9);
        Assert.Null(result["comparison"]);
    }

    [Fact]
    public async Task A_bad_file_is_refused_naming_the_file_line_and_field_and_nothing_is_stored()
    {
        var before = JsonNode.Parse(await api.Http.GetStringAsync("/api/v1/networks"))!.AsArray().Count;
        var lines = Text("_net.tntp").Split('\n');
        var first = Array.FindIndex(lines, l => l.TrimStart().StartsWith("1\t", StringComparison.Ordinal));
        var fields = lines[first].Split('\t', StringSplitOptions.RemoveEmptyEntries);
        lines[first] = lines[first].Replace(fields[2], "lots", StringComparison.Ordinal);

        var response = await api.Http.PostJson("/api/v1/networks", Body(net: string.Join('\n', lines)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadObject();
        var message = (string)problem["errors"]!["net"]![0]!;
        Assert.Contains("_net.tntp", message);
        Assert.Contains($"line {first + 1}", message);
        Assert.Equal(before, JsonNode.Parse(await api.Http.GetStringAsync("/api/v1/networks"))!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{ "name": "no files" }""", "net")]
    [InlineData("""{ "net": "x", "trips": "y" }""", "name")]
    public async Task Missing_fields_are_named(string body, string field)
    {
        var response = await api.Http.PostJson("/api/v1/networks", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    [Fact]
    public async Task A_network_whose_zones_times_links_would_not_fit_one_assignment_is_refused_naming_the_net()
    {
        const int zones = 1_000, links = 20_001;
        var net = new System.Text.StringBuilder($"<NUMBER OF ZONES> {zones}\n<NUMBER OF NODES> {zones}\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> {links}\n<END OF METADATA>\n");
        for (var k = 0; k < links; k++)
        {
            net.Append($"{k % zones + 1}\t{(k + 1) % zones + 1}\t1000\t1\t1\t0.15\t4\t0\t0\t1\t;\n");
        }
        var trips = $"<NUMBER OF ZONES> {zones}\n<TOTAL OD FLOW> 0\n<END OF METADATA>\n";

        var response = await api.Http.PostJson("/api/v1/networks", Body(net: net.ToString(), trips: trips, withFlow: false, name: "too big"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("net", await response.ProblemFields());
        Assert.DoesNotContain(await api.Http.Get<List<TntpNetworkSummary>>("/api/v1/networks"), n => n.Name == "too big");
    }

    [Fact]
    public async Task Trips_for_another_number_of_zones_are_refused_naming_the_trips()
    {
        var trips = Text("_trips.tntp").Replace("<NUMBER OF ZONES> 24", "<NUMBER OF ZONES> 25", StringComparison.Ordinal);

        var response = await api.Http.PostJson("/api/v1/networks", Body(trips: trips));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("trips", await response.ProblemFields());
    }

    [Theory]
    [InlineData("gap=0", "gap")]
    [InlineData("gap=1", "gap")]
    [InlineData("gap=abc", "gap")]
    [InlineData("algorithm=dijkstra", "algorithm")]
    public async Task Bad_assignment_parameters_are_named(string query, string field)
    {
        var id = await Store(withFlow: false);

        var response = await api.Http.PostAsync($"/api/v1/networks/{id}/assign?{query}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }

    [Fact]
    public async Task Unknown_networks_are_not_found_and_a_deleted_one_is_gone()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/api/v1/networks/net-000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.PostAsync("/api/v1/networks/net-000000000000/assign", null)).StatusCode);
        var id = await Store(withFlow: false);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.DeleteAsync($"/api/v1/networks/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/api/v1/networks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.PostAsync($"/api/v1/networks/{id}/assign", null)).StatusCode);
    }

    [Theory]
    [InlineData(TwinRoles.DistrictOc)]
    [InlineData(TwinRoles.SectorOc)]
    public async Task An_operation_center_cannot_store_assign_or_delete_networks(string role)
    {
        var id = await Store(withFlow: false);
        using var oc = role == TwinRoles.DistrictOc ? api.CreateClient(role, districts: ["hai-chau"]) : api.CreateClient(role, sectors: ["traffic"]);
        var before = JsonNode.Parse(await api.Http.GetStringAsync("/api/v1/networks"))!.AsArray().Count;

        Assert.Equal(HttpStatusCode.Forbidden, (await oc.PostJson("/api/v1/networks", Body(withFlow: false))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.PostAsync($"/api/v1/networks/{id}/assign", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oc.DeleteAsync($"/api/v1/networks/{id}")).StatusCode);

        Assert.Equal(before, JsonNode.Parse(await api.Http.GetStringAsync("/api/v1/networks"))!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync($"/api/v1/networks/{id}")).StatusCode);
    }
}
