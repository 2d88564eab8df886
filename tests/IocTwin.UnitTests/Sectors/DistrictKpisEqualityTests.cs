using IocTwin.Model;

namespace IocTwin.Tests.Sectors;

/// <summary>
/// Area KPIs compare by content, their sector rules' KPIs included: the hub sends an area to a sector's screens only when
/// its KPIs differ from the ones sent, so KPIs equal in content must be equal however they were built.
/// </summary>
public sealed class DistrictKpisEqualityTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private static DistrictKpis WithRules(params (string Id, double Value)[] rules) => DistrictKpis.Empty with
    {
        SensorsOnline = new Kpi(3, AsOf),
        Rules = rules.ToDictionary(r => r.Id, r => new RuleKpi(r.Value, AsOf, 2, "mean")),
        OpenReports = new Kpi(1, AsOf),
    };

    [Fact]
    public void KPIs_with_the_same_rule_values_built_apart_are_equal()
    {
        var sent = WithRules(("bin-fill-mean", 67.5), ("noise-max", 70));
        var again = WithRules(("noise-max", 70), ("bin-fill-mean", 67.5));

        Assert.Equal(sent, again);
        Assert.True(sent == again);
        Assert.Equal(sent.GetHashCode(), again.GetHashCode());
    }

    [Fact]
    public void KPIs_differing_in_one_rule_or_in_a_count_are_not_equal()
    {
        var sent = WithRules(("bin-fill-mean", 67.5));

        Assert.NotEqual(sent, WithRules(("bin-fill-mean", 55)));
        Assert.NotEqual(sent, WithRules(("bin-fill-mean", 67.5), ("noise-max", 70)));
        Assert.NotEqual(sent, WithRules(("other-rule", 67.5)));
        Assert.NotEqual(sent, sent with { Rules = null });
        Assert.NotEqual(sent, sent with { OverdueReports = new Kpi(1, AsOf) });
        Assert.NotEqual(sent, sent with { SensorsOnline = new Kpi(4, AsOf) });
        Assert.Equal(DistrictKpis.Empty, DistrictKpis.Empty with { Rules = null });
    }
}
