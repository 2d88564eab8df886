using IocTwin.Api.NgsiLd;
using IocTwin.Api.NgsiLd.Temporal;

namespace IocTwin.Tests.NgsiLd;

/// <summary>The temporal parameters: ISO 8601 durations, the window timerel names, and bad values refused by name.</summary>
public sealed class TemporalQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    private static TemporalQuery Parse(string query, bool timeRequired = true)
    {
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return TemporalQuery.Parse(parameters.GetValueOrDefault, Now, MaxRange, 10_000, timeRequired);
    }

    [Theory]
    [InlineData("PT1H", 3600)]
    [InlineData("PT1M", 60)]
    [InlineData("PT90S", 90)]
    [InlineData("PT1.5S", 1.5)]
    [InlineData("P1DT2H", 93_600)]
    [InlineData("P2D", 172_800)]
    [InlineData("PT0S", 0)]
    public void Iso_durations_of_days_and_time_are_read(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), TemporalQuery.Duration(text, "aggrPeriodDuration"));

    [Theory]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("P1W")]
    [InlineData("PT")]
    [InlineData("1H")]
    [InlineData("-PT1H")]
    [InlineData("PT1H30")]
    [InlineData("")]
    public void Durations_without_a_fixed_length_or_not_iso_are_refused_by_name(string text)
    {
        var error = Assert.Throws<NgsiLdRequestException>(() => TemporalQuery.Duration(text, "aggrPeriodDuration"));
        Assert.StartsWith("aggrPeriodDuration:", error.Message);
    }

    [Fact]
    public void Timerel_names_the_window_before_after_or_between()
    {
        var at = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var before = Parse("timerel=before&timeAt=2026-12-01T15:00:00+07:00");
        Assert.Equal((at - MaxRange, at), (before.Start, before.End));

        var after = Parse("timerel=after&timeAt=2026-12-01T08:00:00Z");
        Assert.Equal(at.AddMilliseconds(1), after.Start);
        Assert.Equal(Now + TimeSpan.FromDays(1), after.End);

        var between = Parse("timerel=between&timeAt=2026-12-01T08:00:00Z&endTimeAt=2026-12-01T09:30:00Z");
        Assert.Equal((at, at.AddMinutes(90)), (between.Start, between.End));
        Assert.Equal(TemporalFormat.Normalized, between.Format);

        // One entity with no window: its last hour, as the REST history API answers without "from".
        var oneEntity = Parse("", timeRequired: false);
        Assert.Equal(Now - TimeSpan.FromHours(1), oneEntity.Start);
    }

    [Fact]
    public void Options_and_aggregation_choose_the_representation()
    {
        const string window = "timerel=before&timeAt=2026-12-01T08:00:00Z";
        Assert.Equal(TemporalFormat.TemporalValues, Parse(window + "&options=temporalValues").Format);
        var aggregated = Parse(window + "&options=aggregatedValues&aggrMethods=avg,totalCount&aggrPeriodDuration=PT1H&lastN=3");
        Assert.Equal(TemporalFormat.AggregatedValues, aggregated.Format);
        Assert.Equal(["avg", "totalCount"], aggregated.AggrMethods);
        Assert.Equal(TimeSpan.FromHours(1), aggregated.Period);
        Assert.Equal(3, aggregated.LastN);
        Assert.Null(Parse(window + "&aggrMethods=sum&aggrPeriodDuration=PT0S").Period);
    }

    [Theory]
    [InlineData("", "timerel")]
    [InlineData("timeAt=2026-12-01T08:00:00Z", "timerel")]
    [InlineData("timerel=within&timeAt=2026-12-01T08:00:00Z", "timerel")]
    [InlineData("timerel=after", "timeAt")]
    [InlineData("timerel=after&timeAt=2026-12-01", "timeAt")]
    [InlineData("timerel=after&timeAt=2026-12-01T08:00:00", "timeAt")]
    [InlineData("timerel=after&timeAt=2026-12-01T08:00:00Z&endTimeAt=2026-12-02T08:00:00Z", "endTimeAt")]
    [InlineData("timerel=between&timeAt=2026-12-01T08:00:00Z", "endTimeAt")]
    [InlineData("timerel=between&timeAt=2026-12-01T08:00:00Z&endTimeAt=2026-12-01T08:00:00Z", "endTimeAt")]
    [InlineData("timerel=between&timeAt=2026-10-01T08:00:00Z&endTimeAt=2026-12-01T08:00:00Z", "endTimeAt")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&timeproperty=modifiedAt", "timeproperty")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&lastN=-1", "lastN")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&lastN=many", "lastN")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&aggrMethods=avg,distinctCount", "aggrMethods")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&options=aggregatedValues", "aggrMethods")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&aggrPeriodDuration=PT1H", "aggrPeriodDuration")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&aggrMethods=avg&aggrPeriodDuration=PT0.5S", "aggrPeriodDuration")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&aggrMethods=avg&aggrPeriodDuration=PT1M", "aggrPeriodDuration")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&aggrMethods=avg&options=temporalValues", "options")]
    [InlineData("timerel=before&timeAt=2026-12-01T08:00:00Z&options=concise", "options")]
    public void Bad_parameters_are_refused_naming_the_parameter(string query, string parameter)
    {
        var error = Assert.Throws<NgsiLdRequestException>(() => Parse(query));
        Assert.StartsWith(parameter + ":", error.Message);
        Assert.False(error.InvalidRequest);
    }
}
