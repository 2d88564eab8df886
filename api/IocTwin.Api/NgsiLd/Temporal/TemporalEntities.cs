using System.Text.Json.Nodes;
using IocTwin.History;

namespace IocTwin.Api.NgsiLd.Temporal;

/// <summary>One entity in a temporal representation, and whether an attribute had more instances than one answer holds.</summary>
public sealed record TemporalEntity(JsonObject Json, bool Truncated);

/// <summary>
/// Writes entities in the NGSI-LD temporal representations from the twin's history: each attribute's instances
/// (normalized or temporalValues), or their aggregates per period (aggregatedValues). Instances are the readings as
/// stored (history asked by the millisecond); aggregates are history's avg/min/max/count per period, sum = avg × count.
/// </summary>
public sealed class TemporalEntities(IReadingHistory history)
{
    /// <summary>Aggregating "the whole window" (no aggrPeriodDuration): one bucket reaching past any time the twin keeps.</summary>
    private static readonly TimeSpan WholeWindow = TimeSpan.FromDays(365 * 400);

    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(1);

    /// <param name="attributes">The attributes asked for (expanded names); null for all.</param>
    /// <param name="datasetIds">
    /// The instances asked for by datasetId ("@none": the default one); null for all. History keeps the default instance
    /// only (a reading has one value per attribute), so a selection without "@none" leaves every attribute out.
    /// </param>
    /// <param name="maxInstances">The most instances (or periods) per attribute; past it the earliest are kept (the latest with lastN).</param>
    public async Task<TemporalEntity> RenderAsync(NgsiEntity entity, TemporalQuery query, IReadOnlySet<string>? attributes,
        IReadOnlySet<string>? datasetIds, LdContext context, int maxInstances, CancellationToken cancellationToken)
    {
        var json = new JsonObject { ["id"] = entity.Id, ["type"] = context.Compact(entity.Type) };
        if (entity.History is not { } source || datasetIds?.Contains(RenderOptions.DefaultInstance) == false)
        {
            return new TemporalEntity(json, false);
        }
        var mappings = source.Values.Where(m => attributes is null || attributes.Contains(m.Attribute)).ToList();
        if (mappings.Count == 0)
        {
            return new TemporalEntity(json, false);
        }
        var aggregated = query.Format == TemporalFormat.AggregatedValues;
        var step = aggregated ? query.Period ?? WholeWindow : Instant;
        var buckets = source.Kpis
            ? await history.QueryKpisAsync(source.EntityId, query.Start, query.End, step, cancellationToken)
            : await history.QueryAsync(source.EntityId, query.Start, query.End, step, cancellationToken);
        var truncated = false;
        foreach (var mapping in mappings.OrderBy(m => context.Compact(m.Attribute), StringComparer.Ordinal))
        {
            var series = buckets.Where(b => b.Values.ContainsKey(mapping.Reading)).Select(b => (b.Time, Stats: b.Values[mapping.Reading])).ToList();
            if (query.LastN is { } lastN && series.Count > lastN)
            {
                series = series[^lastN..];
            }
            if (series.Count > maxInstances)
            {
                truncated = true;
                series = query.LastN is null ? series[..maxInstances] : series[^maxInstances..];
            }
            json[context.Compact(mapping.Attribute)] = query.Format switch
            {
                TemporalFormat.AggregatedValues => Aggregated(mapping, series, query, step),
                TemporalFormat.TemporalValues => new JsonObject
                {
                    ["type"] = "Property",
                    ["values"] = new JsonArray([.. series.Select(s => (JsonNode)new JsonArray(Value(mapping, s.Stats.Avg), NgsiLdFormat.Time(s.Time)))]),
                },
                _ => new JsonArray([.. series.Select(s => (JsonNode)Instance(mapping, s.Time, s.Stats.Avg))]),
            };
        }
        return new TemporalEntity(json, truncated);
    }

    private static JsonObject Instance(SmartDataModels.ValueMapping mapping, DateTimeOffset time, double value)
    {
        var instance = new JsonObject { ["type"] = "Property", ["value"] = Value(mapping, value), ["observedAt"] = NgsiLdFormat.Time(time) };
        if (mapping.Unit is { } unit)
        {
            instance["unitCode"] = unit;
        }
        return instance;
    }

    /// <summary>{type, avg: [[value, periodStart, periodEnd], ...], ...}; a value without a numeric form (powerState) has totalCount only.</summary>
    private static JsonObject Aggregated(SmartDataModels.ValueMapping mapping, List<(DateTimeOffset Time, ValueStats Stats)> series,
        TemporalQuery query, TimeSpan step)
    {
        var numeric = Value(mapping, 1) is JsonValue probe && probe.TryGetValue<double>(out _);
        var json = new JsonObject { ["type"] = "Property" };
        foreach (var method in query.AggrMethods)
        {
            if (!numeric && method != "totalCount")
            {
                continue;
            }
            json[method] = new JsonArray([.. series.Select(s =>
            {
                var start = query.Period is null || s.Time < query.Start ? query.Start : s.Time;
                var end = query.Period is null || s.Time + step > query.End ? query.End : s.Time + step;
                JsonNode value = method switch
                {
                    "totalCount" => JsonValue.Create(s.Stats.Count),
                    "sum" => Value(mapping, s.Stats.Avg * s.Stats.Count),
                    "min" => Value(mapping, s.Stats.Min),
                    "max" => Value(mapping, s.Stats.Max),
                    _ => Value(mapping, s.Stats.Avg),
                };
                return (JsonNode)new JsonArray(value, NgsiLdFormat.Time(start), NgsiLdFormat.Time(end));
            })]);
        }
        return json;
    }

    /// <summary>A history value in the model's unit (the scaling the live entity uses, e.g. occupancy % → 0–1).</summary>
    private static JsonNode Value(SmartDataModels.ValueMapping mapping, double value) =>
        mapping.Convert?.Invoke(value) ?? JsonValue.Create(value);
}
