using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>
/// The KPIs the sectors' rules define, gathered over sensors and combined over areas: a mean weighted by its sensor
/// count, so every level is exact over the sensors below it, as the compiled KPIs are.
/// </summary>
public sealed class RuleKpis(IReadOnlyList<SectorKpiRule> rules)
{
    public const string Mean = "mean", Max = "max", Min = "min", Sum = "sum";

    public static readonly IReadOnlyList<string> Aggregates = [Mean, Max, Min, Sum];

    private Dictionary<string, RuleKpi>? _values;

    /// <summary>Adds a sensor online or stale: each rule on its kind takes its value when in range.</summary>
    public void Add(SensorSnapshot sensor)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.Kind == sensor.Kind.Id && sensor.Values.TryGetValue(rule.Value, out var value) && ReadingRanges.Allows(rule.Value, value))
            {
                Merge(rule.Id, new RuleKpi(value, sensor.LastSeen, 1, rule.Aggregate));
            }
        }
    }

    /// <summary>Adds an area's KPIs of the rules.</summary>
    public void Add(IReadOnlyDictionary<string, RuleKpi>? kpis)
    {
        if (kpis is null)
        {
            return;
        }
        foreach (var (id, kpi) in kpis)
        {
            Merge(id, kpi);
        }
    }

    /// <summary>The KPIs gathered, null when no rule had a value (what the defaults, which define no rules, always give).</summary>
    public IReadOnlyDictionary<string, RuleKpi>? Values => _values;

    private void Merge(string id, RuleKpi part)
    {
        _values ??= new Dictionary<string, RuleKpi>(StringComparer.Ordinal);
        if (!_values.TryGetValue(id, out var total))
        {
            _values[id] = part;
            return;
        }
        var asOf = part.AsOf > (total.AsOf ?? DateTimeOffset.MinValue) ? part.AsOf : total.AsOf;
        var count = total.Count + part.Count;
        var value = total.Aggregate switch
        {
            Max => Math.Max(total.Value, part.Value),
            Min => Math.Min(total.Value, part.Value),
            Sum => total.Value + part.Value,
            _ => (total.Value * total.Count + part.Value * part.Count) / count,
        };
        _values[id] = double.IsFinite(value) ? total with { Value = value, AsOf = asOf, Count = count } : total;
    }
}
