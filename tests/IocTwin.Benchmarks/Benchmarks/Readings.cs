using System.Text.Json;
using IocTwin.Api.Ingest;
using IocTwin.Feed;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>Plausible readings for a synthetic city, prepared before any clock starts.</summary>
public static class Readings
{
    /// <summary>One reading for each sensor, at <paramref name="time"/>, in a fixed shuffled order so a batch spans the city.</summary>
    public static List<(string SensorId, Reading Reading)> OnePerSensor(CitySpec city, DateTimeOffset time, int seed = 11)
    {
        var feed = new SyntheticFeed();
        var segments = city.Segments.ToDictionary(s => s.Id);
        var readings = city.Sensors
            .Select(s => (s.Id, feed.Next(s, s.SegmentId is { } id ? segments.GetValueOrDefault(id) : null, time)))
            .ToArray();
        new Random(seed).Shuffle(readings);
        return [.. readings];
    }

    public static List<List<ParsedReading>> Batches(IReadOnlyList<(string SensorId, Reading Reading)> readings, int batchSize) =>
        [.. readings.Chunk(batchSize).Select(chunk => chunk.Select((r, i) => new ParsedReading(i, r.SensorId, r.Reading)).ToList())];

    /// <summary>The body of POST /api/v1/readings for a batch.</summary>
    public static byte[] Json(IEnumerable<ParsedReading> batch)
    {
        using var body = PooledJson(batch);
        return body.Writer.WrittenSpan.ToArray();
    }

    /// <summary>The body of POST /api/v1/readings for a batch, in a pooled array: for bodies written while a clock runs.</summary>
    public static PooledBody PooledJson(IEnumerable<ParsedReading> batch)
    {
        // About 110 bytes a reading: most bodies fit the first array.
        var body = new PooledBody(batch.TryGetNonEnumeratedCount(out var count) ? count * 128 : 64 * 1024);
        using var writer = new Utf8JsonWriter(body.Writer);
        writer.WriteStartArray();
        foreach (var item in batch)
        {
            writer.WriteStartObject();
            writer.WriteString("sensorId", item.SensorId);
            writer.WriteString("timestamp", item.Reading.Timestamp);
            writer.WriteStartObject("values");
            foreach (var (name, value) in item.Reading.Values)
            {
                writer.WriteNumber(name, value);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.Flush();
        return body;
    }
}
