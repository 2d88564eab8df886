using System.Globalization;

namespace IocTwin.Simulation.Tntp;

/// <summary>
/// The lines of one TNTP file: the metadata header (<c>&lt;KEY&gt; value</c> lines up to <c>&lt;END OF METADATA&gt;</c>),
/// then data lines with <c>~</c> comments removed. Every error names the file, the line and the field.
/// </summary>
internal sealed class TntpText
{
    private const string EndOfMetadata = "END OF METADATA";
    private readonly List<(int Line, string Text)> _data = [];

    private TntpText(string file) => File = file;

    public string File { get; }

    /// <summary>Metadata values by key (upper case, without the angle brackets), with the line each came from.</summary>
    public Dictionary<string, (int Line, string Value)> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Data lines after the metadata: comments removed, blank lines skipped.</summary>
    public IReadOnlyList<(int Line, string Text)> Data => _data;

    public static TntpText Read(TextReader reader, string file, bool metadataRequired)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var text = new TntpText(file);
        var lineNumber = 0;
        var inMetadata = true;
        var sawMetadata = false;
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = raw.Trim();
            if (inMetadata)
            {
                if (line.Length == 0)
                {
                    continue;
                }
                if (line.StartsWith('<'))
                {
                    var close = line.IndexOf('>', StringComparison.Ordinal);
                    if (close < 0)
                    {
                        throw new TntpFormatException(file, lineNumber, "metadata", $"'{Shorten(line)}' has no closing '>'");
                    }
                    var key = line[1..close].Trim();
                    sawMetadata = true;
                    if (key.Equals(EndOfMetadata, StringComparison.OrdinalIgnoreCase))
                    {
                        inMetadata = false;
                        continue;
                    }
                    text.Metadata[key] = (lineNumber, line[(close + 1)..].Trim());
                    continue;
                }
                if (sawMetadata || metadataRequired)
                {
                    throw new TntpFormatException(file, lineNumber, "metadata",
                        $"expected '<KEY> value' or '<{EndOfMetadata}>', found '{Shorten(line)}'");
                }
                inMetadata = false;
            }
            var comment = line.IndexOf('~', StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment].Trim();
            }
            if (line.Length > 0)
            {
                text._data.Add((lineNumber, line));
            }
        }
        if (inMetadata && (sawMetadata || metadataRequired))
        {
            throw new TntpFormatException(file, lineNumber, "metadata", $"no '<{EndOfMetadata}>' line");
        }
        return text;
    }

    /// <summary>A whole number from the metadata, at least <paramref name="min"/>.</summary>
    public int MetadataInt(string key, int min)
    {
        if (!Metadata.TryGetValue(key, out var entry))
        {
            throw new TntpFormatException(File, 0, $"<{key}>", "missing from the metadata");
        }
        return ParseInt(entry.Value, entry.Line, $"<{key}>", min, int.MaxValue);
    }

    /// <summary>A number from the metadata, or <paramref name="fallback"/> when the key is absent.</summary>
    public double MetadataDouble(string key, double fallback)
    {
        if (!Metadata.TryGetValue(key, out var entry))
        {
            return fallback;
        }
        return ParseDouble(entry.Value, entry.Line, $"<{key}>", double.MinValue);
    }

    public int ParseInt(string token, int line, string field, int min, int max)
    {
        if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            // Some files write whole numbers with a decimal point ("3.0").
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) || real != Math.Floor(real) ||
                real < int.MinValue || real > int.MaxValue)
            {
                throw new TntpFormatException(File, line, field, $"'{Shorten(token)}' is not a whole number");
            }
            value = (int)real;
        }
        if (value < min || value > max)
        {
            throw new TntpFormatException(File, line, field,
                max == int.MaxValue ? $"{value} is below {min}" : $"{value} is outside {min}..{max}");
        }
        return value;
    }

    public double ParseDouble(string token, int line, string field, double min)
    {
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new TntpFormatException(File, line, field, $"'{Shorten(token)}' is not a finite number");
        }
        if (value < min)
        {
            throw new TntpFormatException(File, line, field, $"{token} is negative");
        }
        return value;
    }

    /// <summary>
    /// The whitespace-separated fields of a row. With <paramref name="terminated"/> the row must end with ';'
    /// (what follows it is ignored); otherwise a trailing ';' is optional.
    /// </summary>
    public string[] Fields(int line, string text, bool terminated)
    {
        var end = text.IndexOf(';', StringComparison.Ordinal);
        if (end < 0 && terminated)
        {
            throw new TntpFormatException(File, line, "row", "does not end with ';'");
        }
        var body = end < 0 ? text : text[..end];
        return body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
