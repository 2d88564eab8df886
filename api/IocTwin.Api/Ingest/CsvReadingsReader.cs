using System.Globalization;
using System.Text;
using IocTwin.Model;

namespace IocTwin.Api.Ingest;

/// <summary>A CSV row rejected on import: its 1-based line (the header is line 1), the field at fault and why.</summary>
public sealed record CsvRejection(int Line, string Field, string Error);

/// <summary>What an import did: data rows read, readings accepted, rows rejected.</summary>
public sealed record CsvImportReport(int Rows, int Accepted, IReadOnlyList<CsvRejection> Rejected);

/// <summary>Why a body is not a CSV file of readings; nothing of it is imported.</summary>
public sealed class CsvFormatException(string message) : Exception(message);

/// <summary>A body with more data rows than an import takes.</summary>
public sealed class CsvTooLargeException(int maxRows) : Exception($"An import holds at most {maxRows} rows.");

/// <summary>
/// Reads a sector's existing readings from CSV (RFC 4180, UTF-8 with or without BOM) in one of two forms, told apart
/// by the header: long <c>sensorId,timestamp,name,value</c> (one value per row) or wide
/// <c>sensorId,timestamp,&lt;name1&gt;,&lt;name2&gt;,...</c> (one reading per row, empty cells skipped).
/// Every row is checked by the same rules as a JSON reading; the index of a parsed reading is its line.
/// </summary>
public static class CsvReadingsReader
{
    public const int MaxRows = 100_000;

    public sealed record Result(int Rows, List<ParsedReading> Valid, List<CsvRejection> Rejected);

    public static async Task<Result> ReadAsync(Stream body, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            throw new CsvFormatException("The body is not UTF-8 text.");
        }
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        if (text.Contains('\0'))
        {
            throw new CsvFormatException("The body is binary, not CSV text.");
        }

        var records = Records(text).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new CsvFormatException("The body is empty; expected a header 'sensorId,timestamp,name,value' or 'sensorId,timestamp,<name>,...'.");
        }
        var header = records.Current.Fields.Select(f => f.Trim()).ToArray();
        var layout = Layout.Of(header);

        var valid = new List<ParsedReading>();
        var rejected = new List<CsvRejection>();
        var rows = 0;
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // a blank line
            }
            if (++rows > MaxRows)
            {
                throw new CsvTooLargeException(MaxRows);
            }
            if (fields.Count != header.Length)
            {
                rejected.Add(new CsvRejection(line, "row", $"has {fields.Count} fields; the header has {header.Length}"));
                continue;
            }
            var error = ReadingBatchParser.Validate(fields[0].Trim(), fields[1].Trim(), layout.Values(fields), now, out var reading);
            if (error is { } e)
            {
                rejected.Add(new CsvRejection(line, layout.FieldName(e.Field), e.Message));
            }
            else
            {
                valid.Add(new ParsedReading(line, reading.SensorId, reading.Reading));
            }
        }
        return new Result(rows, valid, rejected);
    }

    private sealed class Layout
    {
        private readonly string[] _header;
        private readonly bool _long;

        private Layout(string[] header, bool isLong) => (_header, _long) = (header, isLong);

        public static Layout Of(string[] header)
        {
            const string expected = "expected a header 'sensorId,timestamp,name,value' or 'sensorId,timestamp,<name>,...'";
            if (header.Length < 3 || !header[0].Equals("sensorId", StringComparison.OrdinalIgnoreCase) ||
                !header[1].Equals("timestamp", StringComparison.OrdinalIgnoreCase))
            {
                throw new CsvFormatException($"The first line is not a header of readings; {expected}.");
            }
            if (header.Length == 4 && header[2].Equals("name", StringComparison.OrdinalIgnoreCase) &&
                header[3].Equals("value", StringComparison.OrdinalIgnoreCase))
            {
                return new Layout(header, isLong: true);
            }
            var names = header.Skip(2).ToArray();
            if (names.Any(n => n.Length is 0 or > 64))
            {
                throw new CsvFormatException($"Value columns must be named with 1 to 64 characters; {expected}.");
            }
            if (names.Length > ReadingBatchParser.MaxValuesPerReading)
            {
                throw new CsvFormatException($"A reading holds at most {ReadingBatchParser.MaxValuesPerReading} values; the header names {names.Length}.");
            }
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            {
                throw new CsvFormatException("The header names a value column twice.");
            }
            return new Layout(header, isLong: false);
        }

        public List<ReadingValue> Values(IReadOnlyList<string> fields)
        {
            if (_long)
            {
                return [new ReadingValue(fields[2].Trim(), ParseNumber(fields[3]))];
            }
            var values = new List<ReadingValue>(fields.Count - 2);
            for (var i = 2; i < fields.Count; i++)
            {
                if (!string.IsNullOrWhiteSpace(fields[i]))
                {
                    values.Add(new ReadingValue(_header[i], ParseNumber(fields[i])));
                }
            }
            return values;
        }

        /// <summary>A rule's field in CSV terms: the column at fault.</summary>
        public string FieldName(string field) => field switch
        {
            _ when field.StartsWith("values.", StringComparison.Ordinal) => _long ? "value" : field["values.".Length..],
            "values" => _long ? "name" : "values",
            _ => field,
        };

        private static double? ParseNumber(string text) =>
            double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>RFC 4180 records with the line each starts on; a quote out of place or left open is a format error.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> Records(string text)
    {
        var line = 1;
        var position = 0;
        while (position < text.Length)
        {
            var start = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var endOfRecord = false;
            while (!endOfRecord)
            {
                field.Clear();
                if (position < text.Length && text[position] == '"')
                {
                    position++;
                    while (true)
                    {
                        if (position >= text.Length)
                        {
                            throw new CsvFormatException($"A quoted field opened on line {start} is never closed.");
                        }
                        var c = text[position++];
                        if (c == '"')
                        {
                            if (position < text.Length && text[position] == '"')
                            {
                                field.Append('"');
                                position++;
                                continue;
                            }
                            break;
                        }
                        if (c == '\n')
                        {
                            line++;
                        }
                        field.Append(c);
                    }
                    if (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        throw new CsvFormatException($"Line {line}: a closing quote must end its field.");
                    }
                }
                else
                {
                    while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
                    {
                        if (text[position] == '"')
                        {
                            throw new CsvFormatException($"Line {line}: a quote inside an unquoted field.");
                        }
                        field.Append(text[position++]);
                    }
                }
                fields.Add(field.ToString());
                if (position >= text.Length)
                {
                    endOfRecord = true;
                }
                else if (text[position] == ',')
                {
                    position++;
                }
                else
                {
                    if (text[position] == '\r')
                    {
                        position++;
                    }
                    if (position < text.Length && text[position] == '\n')
                    {
                        position++;
                    }
                    line++;
                    endOfRecord = true;
                }
            }
            yield return (start, fields);
        }
    }
}
