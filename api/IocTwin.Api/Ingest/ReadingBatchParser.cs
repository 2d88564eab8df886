using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IocTwin.Domain;
using IocTwin.History;
using IocTwin.Model;

namespace IocTwin.Api.Ingest;

public sealed record ReadingRejection(int Index, string Field, string Error);

/// <summary>A valid reading and where it was in its batch; a struct, as batches hold thousands of them.</summary>
public readonly record struct ParsedReading(int Index, string SensorId, Reading Reading);

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
        var names = new NameCache();
        foreach (var item in items.EnumerateArray())
        {
            var error = TryParse(item, now, names, out var reading);
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

    private static (string Field, string Message)? TryParse(JsonElement item, DateTimeOffset now, NameCache names, out (string SensorId, Reading Reading) result)
    {
        result = default;
        if (item.ValueKind != JsonValueKind.Object)
        {
            return ("item", "must be an object { sensorId, timestamp, values }");
        }
        var sensorId = item.TryGetProperty("sensorId"u8, out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        if (CheckSensorId(sensorId) is { } idError)
        {
            return idError;
        }
        if (CheckTimestamp(TimestampOf(item, out var timestamp) ? timestamp : null, now) is { } timeError)
        {
            return timeError;
        }
        if (!item.TryGetProperty("values"u8, out var valuesElement) || valuesElement.ValueKind != JsonValueKind.Object)
        {
            return NotAnObjectOfNumbers;
        }
        var values = Gathered;
        values.Clear();
        foreach (var property in valuesElement.EnumerateObject())
        {
            double? number = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var parsed) ? parsed : null;
            if (AddValue(values, names.NameOf(property), number) is { } valueError)
            {
                return valueError;
            }
        }
        if (CheckValueCount(values) is { } countError)
        {
            return countError;
        }
        result = (sensorId!, new Reading(timestamp, values.Take()));
        return null;
    }

    /// <summary>The timestamp of a JSON reading object, or null when it is missing or not a string.</summary>
    public static string? TimestampOf(JsonElement item) =>
        item.TryGetProperty("timestamp", out var timeElement) && timeElement.ValueKind == JsonValueKind.String ? timeElement.GetString() : null;

    /// <summary>
    /// The timestamp of a JSON reading object, to the millisecond, if it is an ISO-8601 time with an offset. Read from
    /// the UTF-8 bytes when they are plainly such a time; anything else takes the text rules below.
    /// </summary>
    private static bool TimestampOf(JsonElement item, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (!item.TryGetProperty("timestamp"u8, out var element) || element.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        // Raw bytes include the quotes: "2026-11-25T08:30:00Z" or "...+07:00".
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var plain = raw.Length >= 22 && raw[11] == (byte)'T' && raw.IndexOf((byte)'\\') < 0 &&
                    (raw[^2] == (byte)'Z' || (raw.Length > 8 && raw[^7] is (byte)'+' or (byte)'-' && raw[^4] == (byte)':'));
        if (!(plain && element.TryGetDateTimeOffset(out timestamp)) && !TryParseTimestamp(element.GetString()!, out timestamp))
        {
            return false;
        }
        timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp.ToUnixTimeMilliseconds());
        return true;
    }

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
    /// an ISO-8601 time with an offset not too far in the future, and 1 to 64 distinct named numbers, each within its
    /// physical range (<see cref="ReadingRanges"/>).
    /// A null argument is one that is missing or of the wrong kind; a null value is one that is not a number.
    /// </summary>
    public static (string Field, string Message)? Validate(
        string? sensorId, string? timestampText, IReadOnlyList<ReadingValue>? readingValues, DateTimeOffset now,
        out (string SensorId, Reading Reading) result)
    {
        result = default;
        if (CheckSensorId(sensorId) is { } idError)
        {
            return idError;
        }
        DateTimeOffset? timestamp = timestampText is not null && TryParseTimestamp(timestampText, out var parsed) ? parsed : null;
        if (CheckTimestamp(timestamp, now) is { } timeError)
        {
            return timeError;
        }
        if (readingValues is null)
        {
            return NotAnObjectOfNumbers;
        }
        var values = Gathered;
        values.Clear();
        foreach (var (name, number) in readingValues)
        {
            if (AddValue(values, name, number) is { } valueError)
            {
                return valueError;
            }
        }
        if (CheckValueCount(values) is { } countError)
        {
            return countError;
        }
        // The twin keeps time to the millisecond, live and in history alike.
        result = (sensorId!, new Reading(DateTimeOffset.FromUnixTimeMilliseconds(timestamp!.Value.ToUnixTimeMilliseconds()), values.Take()));
        return null;
    }

    private static readonly (string Field, string Message) NotAnObjectOfNumbers = ("values", "must be an object of named numbers");

    private static (string Field, string Message)? CheckSensorId(string? sensorId) =>
        sensorId is null || !TopologyRules.IsValidId(sensorId) ? ("sensorId", "must be a sensor id: " + TopologyRules.IdRule) : null;

    private static (string Field, string Message)? CheckTimestamp(DateTimeOffset? timestamp, DateTimeOffset now) => timestamp switch
    {
        null => ("timestamp", "must be an ISO-8601 time with a UTC offset, e.g. 2026-11-25T08:30:00+07:00"),
        { } t when t > now + MaxClockSkew => ("timestamp", $"is more than {MaxClockSkew.TotalMinutes:0} minutes in the future"),
        _ => null,
    };

    // One reading's values are gathered at a time on a thread; only those of a valid reading are kept, in an exact array.
    [ThreadStatic] private static ReadingValues.Builder? t_gathered;

    private static ReadingValues.Builder Gathered => t_gathered ??= new ReadingValues.Builder();

    private static (string Field, string Message)? AddValue(ReadingValues.Builder values, string name, double? number)
    {
        // Refused before a name is compared with all before it: a reading of thousands of values costs no more than one of 64.
        if (values.Count == MaxValuesPerReading)
        {
            return TooManyValues;
        }
        if (name.Length is 0 or > 64)
        {
            return ("values", "names must be 1 to 64 characters");
        }
        if (number is not { } value || !double.IsFinite(value))
        {
            return ($"values.{name}", "must be a finite number");
        }
        var range = ReadingRanges.For(name);
        if (!range.Contains(value))
        {
            return ($"values.{name}", range.Describe());
        }
        return values.TryAdd(name, value) ? null : ($"values.{name}", "is given twice");
    }

    private static (string Field, string Message)? CheckValueCount(ReadingValues.Builder values) =>
        values.Count == 0 ? ("values", "must hold at least one value") : null;

    private static readonly (string Field, string Message) TooManyValues = ("values", $"must hold at most {MaxValuesPerReading} values");

    /// <summary>Value names of one batch: a feed repeats a handful, so each is made a string once per batch.</summary>
    private sealed class NameCache
    {
        private readonly Utf8NameCache _names = new();

        /// <summary>An escaped name is left to the JSON reader; a plain one is its raw UTF-8.</summary>
        public string NameOf(JsonProperty property)
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            return raw.IndexOf((byte)'\\') >= 0 ? property.Name : _names.Get(raw);
        }
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
