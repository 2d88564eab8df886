using System.Text.Json;
using IocTwin.Api.Ingest;

namespace IocTwin.Tests.Api;

public sealed class ReadingBatchParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);

    private static (List<ParsedReading> Valid, List<ReadingRejection> Rejected) Parse(string json) =>
        ReadingBatchParser.Parse(JsonDocument.Parse(json).RootElement, Now);

    [Fact]
    public void Timestamps_with_an_offset_are_normalised_to_UTC()
    {
        var (valid, rejected) = Parse("""[{ "sensorId": "a", "timestamp": "2026-11-25T08:00:00+07:00", "values": { "aqi": 80 } }]""");

        Assert.Empty(rejected);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero), valid[0].Reading.Timestamp);
        Assert.Equal(TimeSpan.Zero, valid[0].Reading.Timestamp.Offset);
    }

    [Theory]
    [InlineData("""{ "sensorId": "a", "timestamp": "2026-11-25T01:00:00Z", "values": { "aqi": 1e400 } }""", "values.aqi")]
    [InlineData("""{ "sensorId": "a", "timestamp": "2026-11-25T01:00:00Z", "values": { "aqi": true } }""", "values.aqi")]
    [InlineData("""{ "sensorId": "a", "timestamp": "2026-11-25T01:00:00Z", "values": [1] }""", "values")]
    [InlineData("""{ "sensorId": 7, "timestamp": "2026-11-25T01:00:00Z", "values": { "aqi": 1 } }""", "sensorId")]
    [InlineData("""{ "sensorId": "a", "timestamp": 1764032400, "values": { "aqi": 1 } }""", "timestamp")]
    [InlineData("""{ "sensorId": "a", "timestamp": "2026-13-45T01:00:00Z", "values": { "aqi": 1 } }""", "timestamp")]
    [InlineData("""{ "sensorId": "a", "timestamp": "2026-11-25", "values": { "aqi": 1 } }""", "timestamp")]
    public void Each_malformed_item_names_its_field(string item, string field)
    {
        var (valid, rejected) = Parse($"[{item}]");

        Assert.Empty(valid);
        Assert.Equal(field, Assert.Single(rejected).Field);
    }

    [Theory]
    [InlineData("speed", 0, 300, 1.7e308)]
    [InlineData("occupancy", 0, 100, 100.5)]
    [InlineData("aqi", 0, 999, 1000)]
    [InlineData("level", -50, 100, -51)]
    [InlineData("on", 0, 1, 2)]
    [InlineData("rainfall", 0, 500, -1)]
    [InlineData("unnamed-quantity", -1e9, 1e9, 1e10)]
    public void A_value_at_either_end_of_its_physical_range_is_kept_and_one_past_it_is_refused(string name, double min, double max, double outside)
    {
        string Item(double value) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $$"""{ "sensorId": "a", "timestamp": "2026-11-25T01:00:00Z", "values": { "{{name}}": {{value:R}} } }""");

        var (valid, rejected) = Parse($"[{Item(min)}, {Item(max)}, {Item(outside)}]");

        Assert.Equal([min, max], valid.Select(v => v.Reading.Values[name]));
        var refused = Assert.Single(rejected);
        Assert.Equal((2, $"values.{name}"), (refused.Index, refused.Field));
    }

    [Theory]
    [InlineData("2026-11-25T08:00:00.123+07:00")]
    [InlineData("2026-11-25T01:00:00.1234567Z")]
    [InlineData("2026-11-25t01:00:00.123z")]
    [InlineData("2026-11-25T01:00:00.123\u005A")]
    public void Every_spelling_of_one_instant_reads_the_same_to_the_millisecond(string timestamp)
    {
        var (valid, rejected) = Parse($$"""[{ "sensorId": "a", "timestamp": "{{timestamp}}", "values": { "aqi": 80 } }]""");

        Assert.Empty(rejected);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 1, 0, 0, 123, TimeSpan.Zero), valid[0].Reading.Timestamp);
    }

    [Theory]
    [InlineData("2026-11-25T08:00:00")]
    [InlineData("2026-11-25T08:00:00.000")]
    [InlineData("2026-11-25 08:00:00Z")]
    public void A_time_without_an_offset_is_refused_rather_than_read_in_the_server_zone(string timestamp)
    {
        var (valid, rejected) = Parse($$"""[{ "sensorId": "a", "timestamp": "{{timestamp}}", "values": { "aqi": 80 } }]""");

        Assert.Empty(valid);
        Assert.Equal("timestamp", Assert.Single(rejected).Field);
    }

    [Fact]
    public void Value_names_read_the_same_escaped_or_not_and_a_repeat_is_refused()
    {
        var (valid, rejected) = Parse("""
            [{ "sensorId": "a", "timestamp": "2026-11-25T01:00:00Z", "values": { "m\u1EF1c_n\u01B0\u1EDBc": 1.5, "aqi": 3 } },
             { "sensorId": "b", "timestamp": "2026-11-25T01:00:00Z", "values": { "mực_nước": 2.5, "aqi": 4 } },
             { "sensorId": "c", "timestamp": "2026-11-25T01:00:00Z", "values": { "aqi": 5, "a\u0071i": 6 } }]
            """);

        Assert.Equal([1.5, 2.5], valid.Select(r => r.Reading.Values["mực_nước"]));
        Assert.Equal([3.0, 4.0], valid.Select(r => r.Reading.Values["aqi"]));
        var repeat = Assert.Single(rejected);
        Assert.Equal((2, "values.aqi"), (repeat.Index, repeat.Field));
    }

    [Fact]
    public void A_reading_of_64_values_is_kept_and_one_of_thousands_is_refused_naming_its_values()
    {
        string Item(int count) => $$"""{ "sensorId": "a", "timestamp": "2026-11-25T01:00:00Z", "values": { {{string.Join(", ",
            Enumerable.Range(0, count).Select(i => $"\"v{i}\": {i}"))}} } }""";

        var (valid, rejected) = Parse($"[{Item(ReadingBatchParser.MaxValuesPerReading)}, {Item(20_000)}]");

        Assert.Equal(ReadingBatchParser.MaxValuesPerReading, Assert.Single(valid).Reading.Values.Count);
        var refused = Assert.Single(rejected);
        Assert.Equal((1, "values"), (refused.Index, refused.Field));
        Assert.Contains("at most 64", refused.Error);
    }
}
