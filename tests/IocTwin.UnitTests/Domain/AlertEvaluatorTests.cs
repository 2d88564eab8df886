using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Tests.Domain;

public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly AlertRule Aqi = AlertEvaluator.DefaultRules.Single(r => r.Id == "aqi-unhealthy");
    private static readonly AlertRule LosF = AlertEvaluator.DefaultRules.Single(r => r.Id == "segment-los-f");
    private static readonly AlertRule Offline = AlertEvaluator.DefaultRules.Single(r => r.Id == "sensor-offline");

    private static int _ids;

    private static List<AlertView> Step(AlertBook book, AlertRule rule, double value, DateTimeOffset at, string entity = "aq-1") =>
        AlertEvaluator.Evaluate(book, [new Measurement(rule, entity, Sector.Environment, value)], "hai-chau", at, () => $"hai-chau:{++_ids}");

    [Fact]
    public void A_value_hovering_at_the_threshold_raises_one_alert_and_clears_only_below_the_clear_threshold()
    {
        var book = new AlertBook();

        var raised = Assert.Single(Step(book, Aqi, 160, T0));
        Assert.Equal(AlertState.Raised, raised.State);
        Assert.Equal(160, raised.Value);
        foreach (var value in new[] { 149.0, 151, 140, 155, 131 })
        {
            Assert.Empty(Step(book, Aqi, value, T0.AddMinutes(1)));
        }
        Assert.Single(book.Open);

        var resolved = Assert.Single(Step(book, Aqi, 129, T0.AddMinutes(2)));
        Assert.Equal(AlertState.Resolved, resolved.State);
        Assert.Equal(raised.Id, resolved.Id);
        Assert.Equal("system", resolved.ResolvedBy);
        Assert.Empty(book.Open);
        Assert.Equal(resolved, Assert.Single(book.Recent));

        // A new breach is a new alert.
        Assert.NotEqual(raised.Id, Assert.Single(Step(book, Aqi, 151, T0.AddMinutes(3))).Id);
    }

    [Fact]
    public void A_rule_with_a_duration_waits_until_the_breach_has_lasted_that_long()
    {
        var book = new AlertBook();
        var f = (double)LevelOfService.F + 1;

        Assert.Empty(Step(book, LosF, f, T0, "road"));
        Assert.Empty(Step(book, LosF, f, T0.AddMinutes(4), "road"));
        Assert.Single(Step(book, LosF, f, T0.AddMinutes(5), "road"));

        // An interrupted breach starts its wait again.
        var other = new AlertBook();
        Step(other, LosF, f, T0, "road");
        Step(other, LosF, (double)LevelOfService.E + 1, T0.AddMinutes(3), "road");
        Assert.Empty(Step(other, LosF, f, T0.AddMinutes(6), "road"));
        Assert.Single(Step(other, LosF, f, T0.AddMinutes(11), "road"));
    }

    [Fact]
    public void A_waiting_breach_of_a_road_no_longer_measured_stops_waiting_while_the_others_wait_on()
    {
        var book = new AlertBook();
        var f = (double)LevelOfService.F + 1;
        AlertEvaluator.Evaluate(book, [new(LosF, "road", Sector.Traffic, f), new(LosF, "bridge", Sector.Traffic, f)], "hai-chau", T0, () => "a1");

        // The road left the district (or lost its counter): only the bridge is measured.
        Assert.Empty(AlertEvaluator.Evaluate(book, [new(LosF, "bridge", Sector.Traffic, f)], "hai-chau", T0.AddMinutes(3), () => "a2"));
        var raised = AlertEvaluator.Evaluate(book,
            [new(LosF, "road", Sector.Traffic, f), new(LosF, "bridge", Sector.Traffic, f)], "hai-chau", T0.AddMinutes(5), () => "a3");

        Assert.Equal("bridge", Assert.Single(raised).EntityId);
        Assert.Equal(["bridge"], book.Open.Values.Select(a => a.EntityId));
    }

    [Fact]
    public void Measurements_come_from_matching_sensors_roads_and_silence()
    {
        var now = T0;
        SensorSnapshot Sensor(string id, SensorKind kind, DateTimeOffset? seen, string name, double value) =>
            new(id, kind, kind == SensorKind.AirQuality ? Sector.Environment : Sector.Flood, seen, new Dictionary<string, double>() { [name] = value }, 1);
        var road = new SegmentSnapshot("road", 500, SegmentStatus.Open, new SegmentTraffic(3000, 8, 90, LevelOfService.F, null, now),
            [Sensor("wl", SensorKind.WaterLevel, now.AddMinutes(-12), "level", 0.7)], 1);

        var measured = AlertEvaluator.Measure(AlertEvaluator.DefaultRules, [road],
            [Sensor("aq", SensorKind.AirQuality, now, "aqi", 170), Sensor("never", SensorKind.AirQuality, null, "aqi", 10)], now).ToList();

        Assert.Contains(measured, m => m.Rule.Id == "aqi-unhealthy" && m.EntityId == "aq" && m.Value == 170);
        Assert.Contains(measured, m => m.Rule.Id == "water-high" && m.EntityId == "wl" && m.Value == 0.7);
        Assert.Contains(measured, m => m.Rule.Id == "segment-los-f" && m.EntityId == "road" && m.Value == 6);
        Assert.Contains(measured, m => m.Rule == Offline && m.EntityId == "wl" && m.Value == 12);
        Assert.DoesNotContain(measured, m => m.Rule == Offline && m.EntityId == "never");
        Assert.DoesNotContain(measured, m => m.Rule.Id == "water-high" && m.EntityId == "aq");
    }
}
