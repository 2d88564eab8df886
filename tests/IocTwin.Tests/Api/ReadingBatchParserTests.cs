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
}
