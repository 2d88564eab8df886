using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class GeofenceEvaluatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.FromHours(7));

    private static GeofenceRule Rule(GeofenceTrigger trigger, double dwellSeconds = 0, double speedKmh = 0) =>
        new("zone", "Zone", trigger, null, [new(108.0, 16.0), new(108.1, 16.0), new(108.1, 16.1), new(108.0, 16.1)], null,
            dwellSeconds, speedKmh, "warning", "ward");

    /// <summary>Reports (inside?, speed) two seconds apart; what each one did, an alert open after a raise until a resolve.</summary>
    private static List<GeofenceAction> Run(GeofenceRule rule, params (bool Inside, double Speed)[] reports)
    {
        var mark = new GeofenceMark();
        var actions = new List<GeofenceAction>();
        for (var i = 0; i < reports.Length; i++)
        {
            var action = GeofenceEvaluator.Step(rule, mark, reports[i].Inside, reports[i].Speed, Start.AddSeconds(2 * i));
            mark.AlertAreaId = action switch { GeofenceAction.Raise => "ward", GeofenceAction.Resolve => null, _ => mark.AlertAreaId };
            actions.Add(action);
        }
        return actions;
    }

    [Fact]
    public void An_enter_rule_raises_once_per_entry_and_resolves_on_leaving()
    {
        Assert.Equal(
            [GeofenceAction.None, GeofenceAction.Raise, GeofenceAction.None, GeofenceAction.Resolve, GeofenceAction.None, GeofenceAction.Raise],
            Run(Rule(GeofenceTrigger.Enter), (false, 0), (true, 0), (true, 0), (false, 0), (false, 0), (true, 0)));
    }

    [Fact]
    public void A_leave_rule_raises_on_leaving_not_at_a_first_report_outside_and_resolves_on_coming_back()
    {
        Assert.Equal(
            [GeofenceAction.None, GeofenceAction.None, GeofenceAction.Raise, GeofenceAction.None, GeofenceAction.Resolve],
            Run(Rule(GeofenceTrigger.Leave), (false, 0), (true, 0), (false, 0), (false, 0), (true, 0)));
    }

    [Fact]
    public void A_dwell_rule_raises_once_the_asset_has_stayed_long_enough()
    {
        Assert.Equal(
            [GeofenceAction.None, GeofenceAction.None, GeofenceAction.Raise, GeofenceAction.None, GeofenceAction.Resolve],
            Run(Rule(GeofenceTrigger.Dwell, dwellSeconds: 4), (true, 0), (true, 0), (true, 0), (true, 0), (false, 0)));
    }

    [Fact]
    public void A_speed_rule_raises_once_per_stay_when_the_asset_is_too_fast_inside()
    {
        Assert.Equal(
            [GeofenceAction.None, GeofenceAction.None, GeofenceAction.Raise, GeofenceAction.None, GeofenceAction.Resolve],
            Run(Rule(GeofenceTrigger.Speed, speedKmh: 30), (false, 80), (true, 20), (true, 50), (true, 60), (false, 60)));
    }

    [Fact]
    public void A_zone_is_its_polygon_or_its_area_and_the_areas_below_it()
    {
        Assert.True(GeofenceEvaluator.InZone(Rule(GeofenceTrigger.Enter), new GeoPoint(108.05, 16.05), []));
        Assert.False(GeofenceEvaluator.InZone(Rule(GeofenceTrigger.Enter), new GeoPoint(108.15, 16.05), ["ward"]));
        var byArea = Rule(GeofenceTrigger.Enter) with { AreaId = "district", Polygon = null };
        Assert.True(GeofenceEvaluator.InZone(byArea, new GeoPoint(0, 0), ["ward", "district"]));
        Assert.False(GeofenceEvaluator.InZone(byArea, new GeoPoint(0, 0), ["other-ward", "other-district"]));
    }
}
