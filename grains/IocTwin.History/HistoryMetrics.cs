using System.Diagnostics.Metrics;

namespace IocTwin.History;

/// <summary>The history store's instruments, on the twin's meter ("IocTwin", exported with the others).</summary>
internal static class HistoryMetrics
{
    private static readonly Meter Meter = new("IocTwin");

    public static readonly Histogram<double> MoveWrite =
        Meter.CreateHistogram<double>("ioctwin.history.move.write", "ms",
            "How long a move's write transaction took, commit included (on SQLite appends wait meanwhile).");
}
