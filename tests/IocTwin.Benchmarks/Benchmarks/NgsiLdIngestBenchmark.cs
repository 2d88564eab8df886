using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using IocTwin.Api.Ingest;
using IocTwin.Api.NgsiLd;
using IocTwin.Benchmarks.Harness;
using IocTwin.Model;

namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>
/// 2b. NGSI-LD ingest: the same readings as batch upserts of observation entities (1,000 per request, Smart Data
/// Models context in the Link header) against POST /api/v1/readings with the same batches, in the same run; and, for
/// scale, batch upserts of context entities (one numeric Property with observedAt each: a grain write, a history
/// append and, the first time, an index entry per entity), one batch per request in flight, each over its own ids.
/// </summary>
public static class NgsiLdIngestBenchmark
{
    public const string Name = "ngsi-ld-ingest";
    public const int BatchSize = NgsiLdIngestApi.MaxBatchEntities;
    public const double TargetRatio = 0.5;

    public static async Task RunAsync(BenchmarkContext context)
    {
        var options = context.Options;
        var kinds = context.City.Sensors.ToDictionary(s => s.Id, s => s.Kind);
        // Only readings every value of which an observation entity carries, so that both paths take the same values.
        var readings = Readings.OnePerSensor(context.City, DateTimeOffset.UtcNow.AddSeconds(-1))
            .Where(r => r.Reading.Values.Keys.All(name => SmartDataModels.ValuesOf(kinds[r.SensorId]).Any(m => m.Reading == name)))
            .ToList();
        var batches = Readings.Batches(readings, BatchSize);
        var shape = $"batches of {BatchSize:N0} over {readings.Count:N0} sensors, {options.HttpBatchesInFlight} in flight";
        using var http = context.Host.CreateIngestClient();

        var plain = batches.Select(Readings.Json).ToArray();
        var readingsRate = await MeasureAsync(context, "POST /api/v1/readings", plain.Length, options.HttpBatchesInFlight, async i =>
        {
            using var response = await http.PostAsync("/api/v1/readings", Json(plain[i], "application/json"));
            response.EnsureSuccessStatusCode();
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            return (body.RootElement.GetProperty("accepted").GetInt32(), body.RootElement.GetProperty("rejected").GetArrayLength());
        });

        var entities = batches.Select(b => Entities(b, kinds)).ToArray();
        var link = $"<{LdContextStore.SmartDataModelsUrl}>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"";
        var upsertRate = await MeasureAsync(context, "POST /ngsi-ld/v1/entityOperations/upsert", entities.Length, options.HttpBatchesInFlight, async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ngsi-ld/v1/entityOperations/upsert") { Content = Json(entities[i], "application/json") };
            request.Headers.TryAddWithoutValidation("Link", link);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
            {
                return (batches[i].Count, 0);
            }
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            return (body.RootElement.GetProperty("success").GetArrayLength(), body.RootElement.GetProperty("errors").GetArrayLength());
        });

        context.Results.Add(new Figure(Name, "entities/s, NGSI-LD batch upsert of observation entities", upsertRate, Unit.PerSecond,
            "POST /api/v1/readings", readingsRate)
        {
            Target = string.Create(CultureInfo.InvariantCulture, $"≥ {TargetRatio:0.0}x"),
            Met = readingsRate > 0 && upsertRate / readingsRate >= TargetRatio,
        });
        var contextBatches = Enumerable.Range(0, options.HttpBatchesInFlight).Select(ContextEntities).ToArray();
        var contextRate = await MeasureAsync(context, "POST /ngsi-ld/v1/entityOperations/upsert (context entities)", contextBatches.Length,
            options.HttpBatchesInFlight, async i =>
            {
                using var response = await http.PostAsync("/ngsi-ld/v1/entityOperations/upsert", Json(contextBatches[i], "application/json"));
                response.EnsureSuccessStatusCode();
                if (response.StatusCode != System.Net.HttpStatusCode.MultiStatus)
                {
                    return (BatchSize, 0);
                }
                using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
                return (body.RootElement.GetProperty("success").GetArrayLength(), body.RootElement.GetProperty("errors").GetArrayLength());
            });
        context.Results.Add(new Figure(Name, "entities/s, NGSI-LD batch upsert of context entities", contextRate, Unit.PerSecond,
            "POST /api/v1/readings", readingsRate));
        context.Results.Note($"ngsi-ld-ingest: {shape}; NGSI-LD bodies {entities.Average(b => b.Length) / 1024:N0} KB, readings bodies {plain.Average(b => b.Length) / 1024:N0} KB.");
    }

    private static ByteArrayContent Json(byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static async Task<double> MeasureAsync(BenchmarkContext context, string path, int batchCount, int inFlight,
        Func<int, Task<(int Accepted, int Rejected)>> send)
    {
        var options = context.Options;
        Progress.Say($"{Name}, {path}: warming up for {options.IngestWarmup.TotalSeconds:N0} s");
        await IngestBenchmark.DriveAsync(batchCount, inFlight, send, sweeps: null, duration: options.IngestWarmup);
        Progress.Say($"{Name}, {path}: measuring for {options.IngestWindow.TotalSeconds:N0} s");
        var before = context.Counters.Take();
        var (accepted, rejected, failed, elapsed) = await IngestBenchmark.DriveAsync(batchCount, inFlight, send, sweeps: null, duration: options.IngestWindow);
        var window = context.Counters.Take().Since(before);
        await Quiet.WaitAsync(context.Counters, TimeSpan.FromSeconds(120));
        context.Results.Note($"{Name} {path}: {accepted:N0} readings in {elapsed.TotalSeconds:N1} s" +
            $"{(rejected > 0 ? $", {rejected:N0} REJECTED" : "")}{(failed.Count > 0 ? $", {failed.Count:N0} batches FAILED ({failed[0]})" : "")}; " +
            window.Describe(accepted, "reading"));
        return accepted / elapsed.TotalSeconds;
    }

    /// <summary>Batch <paramref name="batch"/> of context entities: the same ids at every upsert, a new observation each time.</summary>
    private static byte[] ContextEntities(int batch) => System.Text.Encoding.UTF8.GetBytes(new JsonArray([.. Enumerable.Range(0, BatchSize)
        .Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"urn:ngsi-ld:WeatherObserved:bench-{batch}-{i}",
            ["type"] = "WeatherObserved",
            ["temperature"] = new JsonObject
            {
                ["type"] = "Property",
                ["value"] = 20 + i % 15,
                ["observedAt"] = NgsiLdFormat.Time(DateTimeOffset.UtcNow.AddSeconds(-1)),
            },
        })]).ToJsonString());

    /// <summary>A batch as observation entities in normalized form, values in the models' units.</summary>
    private static byte[] Entities(IEnumerable<ParsedReading> batch, Dictionary<string, SensorKind> kinds)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in batch)
            {
                var kind = kinds[item.SensorId];
                var type = SmartDataModels.ObservationType(kind);
                writer.WriteStartObject();
                writer.WriteString("id", NgsiLdFormat.Urn(type, item.SensorId));
                writer.WriteString("type", type);
                foreach (var mapping in SmartDataModels.ValuesOf(kind))
                {
                    if (!item.Reading.Values.TryGetValue(mapping.Reading, out var value))
                    {
                        continue;
                    }
                    // The models' short names are the last segment of their IRIs.
                    writer.WriteStartObject(mapping.Attribute[(mapping.Attribute.LastIndexOfAny(['/', '#']) + 1)..]);
                    writer.WriteString("type", "Property");
                    writer.WritePropertyName("value");
                    (mapping.Convert?.Invoke(value) ?? JsonValue.Create(value)).WriteTo(writer);
                    writer.WriteString("observedAt", item.Reading.Timestamp);
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }
}
