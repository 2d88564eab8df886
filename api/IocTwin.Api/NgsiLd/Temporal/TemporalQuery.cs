using System.Globalization;
using System.Xml;

namespace IocTwin.Api.NgsiLd.Temporal;

public enum TemporalFormat
{
    /// <summary>Each attribute an array of its instances (value, observedAt, unitCode).</summary>
    Normalized,
    /// <summary>options=temporalValues: each attribute {type, values: [[value, observedAt], ...]}.</summary>
    TemporalValues,
    /// <summary>options=aggregatedValues (or aggrMethods given): each attribute {type, avg: [[value, start, end], ...], ...}.</summary>
    AggregatedValues,
}

/// <summary>
/// The temporal parameters of an NGSI-LD temporal query (timerel, timeAt, endTimeAt, timeproperty, lastN, aggrMethods,
/// aggrPeriodDuration, options), read and checked against the history caps; a bad one throws
/// <see cref="NgsiLdRequestException"/> naming it.
/// </summary>
/// <param name="Start">First instant of the window (inclusive).</param>
/// <param name="End">End of the window (exclusive).</param>
/// <param name="Period">The aggregation period; null aggregates the whole window as one period (aggrPeriodDuration PT0S).</param>
public sealed record TemporalQuery(
    DateTimeOffset Start, DateTimeOffset End, int? LastN, TemporalFormat Format, IReadOnlyList<string> AggrMethods, TimeSpan? Period)
{
    public static readonly IReadOnlyList<string> KnownAggrMethods = ["totalCount", "sum", "avg", "min", "max"];

    /// <param name="timeRequired">Queries of many entities need timerel and timeAt; one entity's history defaults to the last <paramref name="maxRange"/>.</param>
    public static TemporalQuery Parse(Func<string, string?> get, DateTimeOffset now, TimeSpan maxRange, int maxBuckets, bool timeRequired)
    {
        var (start, end) = Window(get("timerel"), get("timeAt"), get("endTimeAt"), now, maxRange, timeRequired);
        if (get("timeproperty") is { } timeProperty && timeProperty != "observedAt")
        {
            throw new NgsiLdRequestException($"timeproperty: the twin's history is by observedAt, not '{timeProperty}'.");
        }
        int? lastN = get("lastN") is { } n
            ? int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 ? count
                : throw new NgsiLdRequestException($"lastN: '{n}' is not a whole number of 1 or more.")
            : null;

        var options = (get("options") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = options.FirstOrDefault(o => o is not ("temporalValues" or "aggregatedValues" or "normalized"));
        if (unknown is not null)
        {
            throw new NgsiLdRequestException($"options: '{unknown}' is not one of temporalValues, aggregatedValues, normalized.");
        }
        var methods = ParseAggrMethods(get("aggrMethods"));
        var aggregated = options.Contains("aggregatedValues") || methods.Count > 0;
        if (aggregated && options.Contains("temporalValues"))
        {
            throw new NgsiLdRequestException("options: choose one of temporalValues and aggregatedValues.");
        }
        if (aggregated && methods.Count == 0)
        {
            throw new NgsiLdRequestException("aggrMethods: aggregatedValues needs aggrMethods (totalCount, sum, avg, min, max).");
        }
        TimeSpan? period = null;
        if (get("aggrPeriodDuration") is { } duration)
        {
            if (!aggregated)
            {
                throw new NgsiLdRequestException("aggrPeriodDuration: goes with aggrMethods.");
            }
            var parsed = Duration(duration, "aggrPeriodDuration");
            if (parsed > TimeSpan.Zero && parsed < TimeSpan.FromSeconds(1))
            {
                throw new NgsiLdRequestException("aggrPeriodDuration: at least PT1S (or PT0S for the whole window).");
            }
            if (parsed > TimeSpan.Zero && (end - start) / parsed > maxBuckets)
            {
                throw new NgsiLdRequestException($"aggrPeriodDuration: gives more than {maxBuckets} periods in the window; use a longer one.");
            }
            period = parsed == TimeSpan.Zero ? null : parsed;
        }
        var format = aggregated ? TemporalFormat.AggregatedValues : options.Contains("temporalValues") ? TemporalFormat.TemporalValues : TemporalFormat.Normalized;
        return new TemporalQuery(start, end, lastN, format, methods, period);
    }

    /// <summary>One entity's window when the request names none.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    /// <summary>The window timerel/timeAt/endTimeAt name, at most <paramref name="maxRange"/> long and clipped to history's bounds.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Window(
        string? timerel, string? timeAt, string? endTimeAt, DateTimeOffset now, TimeSpan maxRange, bool timeRequired)
    {
        var latest = now + History.HistoryWindow.MaxAhead;
        if (timerel is null)
        {
            if (timeAt is not null || endTimeAt is not null)
            {
                throw new NgsiLdRequestException("timerel: timeAt and endTimeAt need a timerel (before, after or between).");
            }
            // One entity without a window: the last hour, as the REST history API answers without "from". Instances are
            // read from history whole, so a month by default would read hundreds of thousands of readings to send 2,000.
            return timeRequired
                ? throw new NgsiLdRequestException("timerel: a temporal query needs timerel (before, after or between) and timeAt.")
                : (now - DefaultWindow, latest);
        }
        if (timerel is not ("before" or "after" or "between"))
        {
            throw new NgsiLdRequestException($"timerel: '{timerel}' is not before, after or between.");
        }
        var at = Time(timeAt ?? throw new NgsiLdRequestException($"timeAt: timerel={timerel} needs timeAt."), "timeAt");
        if (timerel != "between" && endTimeAt is not null)
        {
            throw new NgsiLdRequestException($"endTimeAt: goes only with timerel=between, not {timerel}.");
        }
        var (start, end) = timerel switch
        {
            "before" => (at - maxRange, at),
            // After timeAt: the instant itself excluded; history keeps times to the millisecond.
            "after" => (at.AddMilliseconds(1), at + maxRange < latest ? at + maxRange : latest),
            _ => (at, Time(endTimeAt ?? throw new NgsiLdRequestException("endTimeAt: timerel=between needs endTimeAt."), "endTimeAt")),
        };
        if (end <= start)
        {
            throw new NgsiLdRequestException("endTimeAt: must be after timeAt.");
        }
        if (end - start > maxRange)
        {
            throw new NgsiLdRequestException($"endTimeAt: the window is at most {maxRange.TotalDays:0.##} days.");
        }
        if (start < History.HistoryWindow.Earliest) start = History.HistoryWindow.Earliest;
        return (start, end);
    }

    /// <summary>An ISO 8601 date-time with its offset (Z or ±hh:mm).</summary>
    public static DateTimeOffset Time(string text, string field)
    {
        var hasZone = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasZone || !text.Contains('T')
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new NgsiLdRequestException($"{field}: '{text}' is not an ISO 8601 date-time with an offset (2026-12-06T08:00:00Z).");
        }
        if (time.Year < 1970 || time.Year > 9000)
        {
            throw new NgsiLdRequestException($"{field}: '{text}' is outside the years the twin keeps.");
        }
        return time.ToUniversalTime();
    }

    /// <summary>An ISO 8601 duration of days and time (PT1H, P1DT12H, PT0S); years and months have no fixed length and are refused.</summary>
    public static TimeSpan Duration(string text, string field)
    {
        var datePart = text.Split('T')[0];
        if (!text.StartsWith('P') || datePart.Contains('Y') || datePart.Contains('M') || datePart.Contains('W') || text.EndsWith('T'))
        {
            throw new NgsiLdRequestException($"{field}: '{text}' is not an ISO 8601 duration of days, hours, minutes and seconds (PT1H).");
        }
        try
        {
            return XmlConvert.ToTimeSpan(text);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new NgsiLdRequestException($"{field}: '{text}' is not an ISO 8601 duration of days, hours, minutes and seconds (PT1H).");
        }
    }

    private static List<string> ParseAggrMethods(string? list)
    {
        if (list is null)
        {
            return [];
        }
        var methods = list.Split(',', StringSplitOptions.TrimEntries).Distinct().ToList();
        var unknown = methods.FirstOrDefault(m => !KnownAggrMethods.Contains(m));
        return unknown is null
            ? methods
            : throw new NgsiLdRequestException($"aggrMethods: '{unknown}' is not one of {string.Join(", ", KnownAggrMethods)} (the twin keeps no distinct values).");
    }
}
