using System.Globalization;
using System.Xml;
using IocTwin.Api.Json;

namespace IocTwin.Api.History;

/// <summary>How much one history query may ask for (section Twin:HistoryQueries).</summary>
public sealed class HistoryQueryOptions
{
    public const string SectionName = "Twin:HistoryQueries";

    /// <summary>The most buckets one answer holds; a longer window is answered in pages of at most this many.</summary>
    public int MaxPoints { get; set; } = 2_000;

    /// <summary>The most buckets a whole window (all its pages) may have.</summary>
    public int MaxBuckets { get; set; } = 10_000;

    /// <summary>The longest window from 'from' to 'to'.</summary>
    public TimeSpan MaxRange { get; set; } = TimeSpan.FromDays(31);
}

/// <summary>
/// The window of a history query and the page of it answered now: pages are whole buckets (aligned to multiples of the
/// step), so the pages of a window joined are the window's answer.
/// </summary>
public sealed record HistoryWindow(DateTimeOffset Start, DateTimeOffset End, TimeSpan Step, int Limit)
{
    /// <summary>Readings before this are not history: the twin did not exist.</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;
    /// <summary>How far ahead a window may end: readings dated a little ahead are kept, not years ahead.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(1);

    private long StepMs => (long)Step.TotalMilliseconds;

    /// <summary>Where this page ends: after <see cref="Limit"/> buckets, or at the window's end.</summary>
    public DateTimeOffset PageEnd
    {
        get
        {
            var firstBucket = Start.ToUnixTimeMilliseconds() / StepMs;
            return DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(End.ToUnixTimeMilliseconds(), (firstBucket + Limit) * StepMs));
        }
    }

    /// <summary>The query for the rest of the window, on the same path; null when this page is the last.</summary>
    public string? NextLink(HttpRequest request)
    {
        var pageEnd = PageEnd;
        if (pageEnd >= End)
        {
            return null;
        }
        var query = $"from={Uri.EscapeDataString(pageEnd.ToString("O", CultureInfo.InvariantCulture))}" +
            $"&to={Uri.EscapeDataString(End.ToString("O", CultureInfo.InvariantCulture))}" +
            $"&step={(StepMs / 1000.0).ToString("R", CultureInfo.InvariantCulture)}&limit={Limit}";
        return $"{request.PathBase}{request.Path}?{query}";
    }

    /// <summary>from/to/step/limit of a query, defaulting to the last hour by the minute, with every problem named.</summary>
    public static (HistoryWindow Window, Dictionary<string, List<string>> Errors) Parse(
        HistoryQuery query, DateTimeOffset now, HistoryQueryOptions options)
    {
        var errors = new Dictionary<string, List<string>>();
        var end = ParseTime(query.To, "to", now, now, errors);
        var start = ParseTime(query.From, "from", end - TimeSpan.FromHours(1), now, errors);
        var stepSize = ParseStep(query.Step, options.MaxRange, errors);
        var pageSize = ParseLimit(query.Limit, options.MaxPoints, errors);
        if (errors.Count == 0)
        {
            if (start >= end) errors.AddError("from", "must be before 'to'");
            else if (end - start > options.MaxRange) errors.AddError("to", $"the range is at most {options.MaxRange.TotalDays:0.##} days");
            else if ((end - start) / stepSize > options.MaxBuckets) errors.AddError("step", $"gives more than {options.MaxBuckets} buckets; use a longer step");
        }
        return (new HistoryWindow(start, end, stepSize, pageSize), errors);
    }

    /// <summary>An ISO-8601 time between the Unix epoch and a day ahead of now.</summary>
    public static DateTimeOffset ParseTime(string? text, string field, DateTimeOffset fallback, DateTimeOffset now, Dictionary<string, List<string>> errors)
    {
        if (text is null)
        {
            return fallback;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            errors.AddError(field, "must be an ISO-8601 time, e.g. 2026-11-25T08:00:00+07:00");
            return fallback;
        }
        value = value.ToUniversalTime();
        if (value < Earliest || value - now > MaxAhead)
        {
            errors.AddError(field, $"must lie between {Earliest:yyyy-MM-dd} and a day from now");
            return fallback;
        }
        return value;
    }

    private static TimeSpan ParseStep(string? text, TimeSpan max, Dictionary<string, List<string>> errors)
    {
        var fallback = TimeSpan.FromMinutes(1);
        if (text is null)
        {
            return fallback;
        }
        TimeSpan step;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            // Compared as a number first: TimeSpan.FromSeconds throws past ±10 million days, and NaN is no step.
            step = double.IsFinite(seconds) && seconds >= 1 && seconds <= max.TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        }
        else
        {
            try
            {
                step = XmlConvert.ToTimeSpan(text);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                errors.AddError("step", "must be an ISO-8601 duration (PT5M) or a number of seconds");
                return fallback;
            }
        }
        if (step < TimeSpan.FromSeconds(1) || step > max)
        {
            errors.AddError("step", $"must be from 1 second to {max.TotalDays:0.##} days");
            return fallback;
        }
        return step;
    }

    private static int ParseLimit(string? text, int max, Dictionary<string, List<string>> errors)
    {
        if (text is null)
        {
            return max;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= max)
        {
            return limit;
        }
        errors.AddError("limit", $"must be a whole number of buckets from 1 to {max}");
        return max;
    }
}
