using System.Net;
using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Entities;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using static IocTwin.Tests.NgsiLd.ContextEntityCalls;

namespace IocTwin.Tests.NgsiLd;

/// <summary>
/// A Vehicle kept as a context entity before assets became the twin's Vehicles (the API now refuses to create one for an
/// unregistered id) stays a context entity: read by id, listed, replaced, merged and deleted like any other.
/// </summary>
[Collection(ContextEntitiesCollection.Name)]
public sealed class ContextEntityStoredVehicleTests(ContextEntitiesTwinFactory api)
{
    private HttpClient Http => api.Http;

    /// <summary>Stores the Vehicle through the context store itself, as an earlier version did for a POST.</summary>
    private async Task<string> StoredVehicleAsync(string name)
    {
        var id = $"urn:ngsi-ld:Vehicle:truck-{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;
        var attributes = new Dictionary<string, ContextAttribute?>
        {
            [Sdm.Name] = new(ContextAttributeKind.Property, $"\"{name}\"", null, null, null, now, now),
        };
        var outcome = await api.Services.GetRequiredService<ContextEntityStore>()
            .WriteAsync(id, ContextWriteMode.Create, new ParsedEntity(id, Sdm.Vehicle, attributes));
        Assert.Equal(ContextWriteStatus.Created, outcome.Status);
        return id;
    }

    [Fact]
    public async Task A_stored_vehicle_of_no_registered_asset_is_read_listed_changed_and_deleted()
    {
        var id = await StoredVehicleAsync("truck 7");

        var (status, entity, _) = await Http.Ngsi($"/entities/{Uri.EscapeDataString(id)}", NgsiLdClient.SdmLink);
        Assert.True(status == HttpStatusCode.OK, $"{status} {entity}");
        Assert.Equal("Vehicle", (string)entity!["type"]!);
        Assert.Equal("truck 7", (string)entity["name"]!["value"]!);
        Assert.Contains(id, (await Http.Entities($"type=Vehicle&id={Uri.EscapeDataString(id)}")).Ids());

        (await Http.Send(HttpMethod.Patch, $"/entities/{id}", """{ "name": { "type": "Property", "value": "truck 7b" } }""", link: NgsiLdClient.SdmLink))
            .AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("truck 7b", (string)(await Http.Ngsi($"/entities/{id}", NgsiLdClient.SdmLink)).Body!["name"]!["value"]!);

        (await Http.Send(HttpMethod.Put, $"/entities/{id}", """{ "type": "Vehicle", "name": { "type": "Property", "value": "truck 7c" } }""", link: NgsiLdClient.SdmLink))
            .AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("truck 7c", (string)(await Http.Ngsi($"/entities/{id}", NgsiLdClient.SdmLink)).Body!["name"]!["value"]!);

        (await Http.Send(HttpMethod.Delete, $"/entities/{id}")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
        Assert.DoesNotContain(id, (await Http.Entities($"type=Vehicle&id={Uri.EscapeDataString(id)}")).Ids());
    }

    [Fact]
    public async Task A_stored_vehicle_is_deleted_in_a_batch_and_not_created_again_over_itself()
    {
        var id = await StoredVehicleAsync("truck 8");

        (await Http.Send(HttpMethod.Post, "/entities", $$"""{ "id": "{{id}}", "type": "Vehicle" }""", link: NgsiLdClient.SdmLink))
            .AssertProblem(HttpStatusCode.Conflict, "AlreadyExists");
        (await Http.Send(HttpMethod.Post, "/entityOperations/delete", $"""["{id}"]""")).AssertStatus(HttpStatusCode.NoContent);
        (await Http.Ngsi($"/entities/{id}")).AssertProblem(HttpStatusCode.NotFound, "ResourceNotFound");
    }
}
