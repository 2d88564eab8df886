using System.Globalization;
using System.Text;

namespace IocTwin.Benchmarks.Harness;

public enum Unit
{
    PerSecond,
    Milliseconds,
    /// <summary>CPU time per unit of work.</summary>
    Microseconds,
    Bytes,
    Seconds,
    /// <summary>A plain multiple, e.g. simulated time per wall-clock time.</summary>
    Factor,
    /// <summary>A number of things, e.g. iterations.</summary>
    Count,
}

/// <summary>A measured figure and the baseline of the same run it is compared with.</summary>
public sealed record Figure(string Benchmark, string Measure, double Value, Unit Unit, string BaselineName, double BaselineValue)
{
    /// <summary>Value ÷ baseline; NaN when the baseline is not a positive number (e.g. a working set that shrank).</summary>
    public double Ratio => BaselineValue > 0 ? Value / BaselineValue : double.NaN;

    /// <summary>What the product asks for, e.g. "≥ 100,000 /s"; null when the figure has no target.</summary>
    public string? Target { get; init; }

    /// <summary>Whether the target is met; null when there is no target.</summary>
    public bool? Met { get; init; }
}

/// <summary>Every figure of a run, printed as one markdown table, plus the notes that explain them.</summary>
public sealed class Results
{
    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public Figure Add(Figure figure)
    {
        _figures.Add(figure);
        Progress.Say($"  {figure.Benchmark} / {figure.Measure}: {Format(figure.Value, figure.Unit)} ({FormatRatio(figure.Ratio)} {figure.BaselineName})");
        return figure;
    }

    public void Note(string text)
    {
        _notes.Add(text);
        Progress.Say("  note: " + text);
    }

    public string ToMarkdown(string header)
    {
        var md = new StringBuilder();
        md.AppendLine(header);
        md.AppendLine();
        md.AppendLine("| benchmark | measure | value | baseline (same run) | ratio | target | met |");
        md.AppendLine("|---|---|--:|---|--:|---|---|");
        foreach (var f in _figures)
        {
            var met = f.Met switch { true => "yes", false => "**no**", null => "" };
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Benchmark} | {f.Measure} | {Format(f.Value, f.Unit)} | {f.BaselineName}: {Format(f.BaselineValue, f.Unit == Unit.PerSecond ? Unit.PerSecond : f.Unit)} | {FormatRatio(f.Ratio)} | {f.Target} | {met} |");
        }
        if (_notes.Count > 0)
        {
            md.AppendLine();
            foreach (var note in _notes)
            {
                md.AppendLine("- " + note);
            }
        }
        return md.ToString();
    }

    public static string Format(double value, Unit unit) => unit switch
    {
        _ when double.IsNaN(value) => "n/a",
        Unit.PerSecond => value.ToString("N0", CultureInfo.InvariantCulture) + " /s",
        Unit.Milliseconds => value.ToString(value < 100 ? "N1" : "N0", CultureInfo.InvariantCulture) + " ms",
        Unit.Microseconds => value.ToString(value < 100 ? "N1" : "N0", CultureInfo.InvariantCulture) + " µs",
        Unit.Seconds => value.ToString(value < 10 ? "N2" : "N1", CultureInfo.InvariantCulture) + " s",
        Unit.Factor => value.ToString("N0", CultureInfo.InvariantCulture) + "×",
        Unit.Count => value.ToString("N0", CultureInfo.InvariantCulture),
        Unit.Bytes when Math.Abs(value) >= 10 * 1024 => (value / 1024).ToString("N1", CultureInfo.InvariantCulture) + " KB",
        Unit.Bytes => value.ToString("N0", CultureInfo.InvariantCulture) + " B",
        _ => value.ToString("N2", CultureInfo.InvariantCulture),
    };

    public static string FormatRatio(double ratio) =>
        double.IsNaN(ratio) ? "n/a" : ratio.ToString(ratio < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "x";
}

/// <summary>Progress goes to standard error so standard output carries only the report.</summary>
public static class Progress
{
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    public static void Say(string text) =>
        Console.Error.WriteLine($"[{Clock.Elapsed:mm\\:ss}] {text}");
}
