using System.Net;
using IocTwin.Api.Access;
using IocTwin.Api.Audit;
using IocTwin.Model;
using IocTwin.Persistence;
using IocTwin.Tests.Api;
using IocTwin.Tests.Infrastructure;
using static IocTwin.Tests.Api.TwinApiClient;

namespace IocTwin.Tests.Scopes;

/// <summary>Who acknowledged, resolved, changed topology or rules and ran scenarios, and when: the IOC can ask.</summary>
[Collection(ScopesCollection.Name)]
public sealed class AuditTests(ScopesTwinFactory api)
{
    private async Task<List<AuditEntry>> Audit(string query) => await api.Http.Get<List<AuditEntry>>($"/api/v1/audit{query}");

    [Fact]
    public async Task Acknowledging_and_resolving_an_alert_are_audited_with_the_operator_and_the_time()
    {
        var sensor = $"aq-{Guid.NewGuid():N}"[..16];
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PutJson($"/api/v1/sensors/{sensor}",
            """{ "kind": "air-quality", "sector": "environment", "location": [108.2, 16.03], "districtId": "cam-le" }""")).StatusCode);
        await api.Http.PostReadings(Reading(sensor, DateTimeOffset.UtcNow, new { aqi = 220 }));
        var alert = await Eventually.Until(async () => (await api.Http.Get<List<AlertView>>("/api/v1/alerts?district=cam-le")).FirstOrDefault(a => a.EntityId == sensor),
            a => a is not null);
        using var oc = api.Operator("Cam Le desk", TwinRoles.DistrictOc, districts: ["cam-le"]);
        using var lan = api.Operator("Lan", TwinRoles.Ioc);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        Assert.Equal(HttpStatusCode.OK, (await oc.PostAsync($"/api/v1/alerts/{alert!.Id}/ack", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lan.PostAsync($"/api/v1/alerts/{alert.Id}/resolve", null)).StatusCode);

        var ack = Assert.Single(await Audit($"?action={AuditActions.AlertAcknowledge}&actor=Cam%20Le%20desk"), e => e.Target == alert.Id);
        Assert.Equal(TwinRoles.DistrictOc, ack.Role);
        Assert.InRange(ack.Time, before, DateTimeOffset.UtcNow.AddSeconds(1));
        var entries = await Audit($"?from={Uri.EscapeDataString(before.ToString("O"))}");
        var resolve = Assert.Single(entries, e => e.Action == AuditActions.AlertResolve && e.Target == alert.Id);
        Assert.Equal("Lan", resolve.Actor);
        // Newest first.
        Assert.True(entries.IndexOf(resolve) < entries.FindIndex(e => e.Action == AuditActions.AlertAcknowledge && e.Target == alert.Id));
    }

    [Fact]
    public async Task Changing_and_deleting_a_rule_and_changing_a_road_are_audited()
    {
        using var minh = api.Operator("Minh", TwinRoles.Ioc);
        var rule = $"audit-{Guid.NewGuid():N}"[..14];

        Assert.Equal(HttpStatusCode.OK, (await minh.PutJson($"/api/v1/alert-rules/{rule}",
            """{ "name": "Water very high", "metric": "level", "threshold": 2, "kind": "water-level" }""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await minh.DeleteAsync($"/api/v1/alert-rules/{rule}")).StatusCode);
        var road = (await minh.Get<List<SegmentView>>("/api/v1/districts/lien-chieu/segments"))[0];
        Assert.Equal(HttpStatusCode.OK, (await minh.PutJson($"/api/v1/segments/{road.Spec!.Id}",
            System.Text.Json.JsonSerializer.Serialize(road.Spec, IocTwin.Api.Json.TwinJson.Options))).StatusCode);

        var minhs = await Audit("?actor=Minh&limit=1000");
        var put = Assert.Single(minhs, e => e.Action == AuditActions.AlertRulePut && e.Target == rule);
        Assert.Contains("Water very high", put.Detail);
        Assert.Single(minhs, e => e.Action == AuditActions.AlertRuleDelete && e.Target == rule);
        Assert.Contains(minhs, e => e.Action == AuditActions.SegmentPut && e.Target == road.Spec!.Id);
        Assert.All(minhs, e => Assert.Equal("Minh", e.Actor));
        Assert.Single(await Audit($"?actor=Minh&action={AuditActions.AlertRuleDelete}&limit=1"));
        // A refused change is not a change.
        Assert.Equal(HttpStatusCode.BadRequest, (await minh.PutJson("/api/v1/alert-rules/refused", """{ "name": "no threshold", "metric": "aqi" }""")).StatusCode);
        Assert.DoesNotContain(await Audit("?actor=Minh"), e => e.Target == "refused");
    }

    [Theory]
    [InlineData(TwinRoles.DistrictOc)]
    [InlineData(TwinRoles.SectorOc)]
    [InlineData(TwinRoles.Viewer)]
    public async Task Only_the_IOC_reads_the_audit(string role)
    {
        using var client = api.Operator("Curious", role, districts: ["hai-chau"], sectors: ["traffic"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit")).StatusCode);
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?to=2026-13-45", "to")]
    [InlineData("?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?actor=", "actor")]
    public async Task Bad_audit_queries_are_400s_naming_the_field(string query, string field)
    {
        var response = await api.Http.GetAsync($"/api/v1/audit{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ProblemFields());
    }
}
