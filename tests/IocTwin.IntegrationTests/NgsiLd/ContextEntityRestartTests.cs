using System.Net;
using static IocTwin.Tests.NgsiLd.ContextEntityCalls;

namespace IocTwin.Tests.NgsiLd;

/// <summary>Context entities, their index and their history outlive the process that wrote them.</summary>
public sealed class ContextEntityRestartTests
{
    private sealed class TwinOn(string file) : ContextEntitiesTwinFactory
    {
        public override string? DatabaseFile => file;
    }

    [Fact]
    public async Task Context_entities_are_found_queried_and_temporal_after_a_restart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ioctwin-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "twin.db");
        var id = NewId("Kiosk");
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        try
        {
            await using (var first = new TwinOn(file))
            {
                await ((IAsyncLifetime)first).InitializeAsync();
                (await first.Http.Send(HttpMethod.Post, "/entities", $$"""
                    { "id": "{{id}}", "type": "Kiosk", "temperature": { "type": "Property", "value": 27.5, "observedAt": "{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}" } }
                    """)).AssertStatus(HttpStatusCode.Created);
            }

            await using var second = new TwinOn(file);
            await ((IAsyncLifetime)second).InitializeAsync();
            var (_, entity, _) = await second.Http.Ngsi($"/entities/{id}");
            Assert.Equal(27.5, (double)entity!["temperature"]!["value"]!);
            Assert.Equal([id], (await second.Http.Entities("type=Kiosk&q=temperature>20", "")).Ids());
            var from = Uri.EscapeDataString(at.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"));
            var (_, temporal, _) = await second.Http.Ngsi($"/temporal/entities/{id}?timerel=after&timeAt={from}");
            Assert.Equal(27.5, (double)temporal!["temperature"]![0]!["value"]!);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
