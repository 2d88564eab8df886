namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>Records, for one receiver, the first arrival of each probe of the current round.</summary>
internal sealed class ArrivalLog(ProbeBook book)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _matched = new(StringComparer.Ordinal);
    private List<(int, long)> _arrivals = [];
    private int _round;

    public long Frames;

    public void Saw(string sensorId, long readingCount, long now)
    {
        if (book.Match(sensorId, readingCount) is not { } match)
        {
            return;
        }
        lock (_gate)
        {
            if (match.Round != _round)
            {
                _round = match.Round;
                _arrivals = [];
                _matched.Clear();
            }
            if (!_matched.TryGetValue(sensorId, out var last) || last != match.Index)
            {
                _matched[sensorId] = match.Index;
                _arrivals.Add((match.Index, now));
            }
        }
    }

    public List<(int, long)> TakeArrivals()
    {
        lock (_gate)
        {
            var arrivals = _round == book.Round ? _arrivals : [];
            _arrivals = [];
            _matched.Clear();
            return arrivals;
        }
    }
}
