using System.Globalization;
using System.Text.Json;
using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Api.Ingest;

public sealed record ReadingRejection(int Index, string Field, string Error);

public sealed record ParsedReading(int Index, string SensorId, Reading Reading);

/// <summary>One named value of a reading as sent; Value is null when what was sent is not a number.</summary>
public readonly record struct ReadingValue(string Name, double? Value);

/// <summary>
/// Validates a batch of readings item by item: a bad item is rejected with the field at fault, the others go on.
/// </summary>
public static class ReadingBatchParser
{
    public const int MaxItems = 10_000;
    public const int MaxValuesPerReading = 64;

    /// <summary>Readings from further in the future than this are clock errors, not data.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    public static (List<ParsedReading> Valid, List<ReadingRejection> Rejected) Parse(JsonElement items, DateTimeOffset now)
    {
        var valid = new List<ParsedReading>(items.GetArrayLength());
        var rejected = new List<ReadingRejection>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var error = TryParse(item, now, out var reading);
            if (error is { } e)
            {
                rejected.Add(new ReadingRejection(index, e.Field, e.Message));
            }
            else
            {
                valid.Add(new ParsedReading(index, reading.SensorId, reading.Reading));
            }
            index++;
        }
        return (valid, rejected);
    }

    private static (string Field, string Message)? TryParse(JsonElement item, DateTimeOffset now, out (string SensorId, Reading Reading) result)
    {
        result = default;
        if (item.ValueKind != JsonValueKind.Object)
        {
            return ("item", "must be an object { sensorId, timestamp, values }");
        }
        var sensorId = item.TryGetProperty("sensorId", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        var timestamp = TimestampOf(item);
        return Validate(sensorId, timestamp, ValuesOf(item), now, out result);
    }

    /// <summary>The timestamp of a JSON reading object, or null when it is missing or not a string.</summary>
    public static string? TimestampOf(JsonElement item) =>
        item.TryGetProperty("timestamp", out var timeElement) && timeElement.ValueKind == JsonValueKind.String ? timeElement.GetString() : null;

    /// <summary>The values of a JSON reading object as sent, or null when "values" is missing or not an object.</summary>
    public static List<ReadingValue>? ValuesOf(JsonElement item)
    {
        if (!item.TryGetProperty("values", out var valuesElement) || valuesElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var values = new List<ReadingValue>();
        foreach (var property in valuesElement.EnumerateObject())
        {
            double? value = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var number) ? number : null;
            values.Add(new ReadingValue(property.Name, value));
        }
        return values;
    }

    /// <summary>
    /// The rules every reading obeys, whichever way it arrives (JSON batch, CSV import, MQTT): a valid sensor id,
    /// an ISO-8601 time with an offset not too far in the future, and 1 to 64 distinct named finite numbers.
    /// A null argument is one that is missing or of the wrong kind; a null value is one that is not a number.
    /// </summary>
    public static (string Field, string Message)? Validate(
        string? sensorId, string? timestampText, IReadOnlyList<ReadingValue>? readingValues, DateTimeOffset now,
        out (string SensorId, Reading Reading) result)
    {
        result = default;
        if (sensorId is null || !TopologyRules.IsValidId(sensorId))
        {
            return ("sensorId", "must be a sensor id: " + TopologyRules.IdRule);
        }
        if (timestampText is null || !TryParseTimestamp(timestampText, out var timestamp))
        {
            return ("timestamp", "must be an ISO-8601 time with a UTC offset, e.g. 2026-11-25T08:30:00+07:00");
        }
        if (timestamp > now + MaxClockSkew)
        {
            return ("timestamp", $"is more than {MaxClockSkew.TotalMinutes:0} minutes in the future");
        }
        if (readingValues is null)
        {
            return ("values", "must be an object of named numbers");
        }
        var values = new Dictionary<string, double>();
        foreach (var (name, number) in readingValues)
        {
            if (name.Length is 0 or > 64)
            {
                return ("values", "names must be 1 to 64 characters");
            }
            if (number is not { } value || !double.IsFinite(value))
            {
                return ($"values.{name}", "must be a finite number");
            }
            if (!values.TryAdd(name, value))
            {
                return ($"values.{name}", "is given twice");
            }
        }
        if (values.Count == 0)
        {
            return ("values", "must hold at least one value");
        }
        if (values.Count > MaxValuesPerReading)
        {
            return ("values", $"must hold at most {MaxValuesPerReading} values");
        }
        // The twin keeps time to the millisecond, live and in history alike.
        result = (sensorId, new Reading(DateTimeOffset.FromUnixTimeMilliseconds(timestamp.ToUnixTimeMilliseconds()), values));
        return null;
    }

    /// <summary>ISO-8601 with an explicit offset or Z: a local time without one would be read in the server's zone.</summary>
    private static bool TryParseTimestamp(string text, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') ||
                        (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset && text.Length >= 20 && text[10] is 'T' or 't' &&
               DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp);
    }
}
