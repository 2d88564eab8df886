namespace IocTwin.Simulation.Equilibrium;

/// <summary>
/// When an assignment measures its relative gap. A measurement is a shortest-path tree per origin, as costly as an
/// iteration, so after two measurements the next comes at the iteration where the gap, falling at the rate seen between
/// them, reaches the requested gap (at most <see cref="MaxSkip"/> iterations on). An assignment still stops only on a
/// measured gap, so its result is never further from equilibrium than requested; at worst it runs a few iterations
/// more than it needed.
/// </summary>
internal sealed class GapSchedule(double requestedGap)
{
    /// <summary>The most iterations between two measurements.</summary>
    internal const int MaxSkip = 8;

    private double _lastGap = double.NaN;
    private int _lastIteration;
    private int _next = 1;

    /// <summary>Whether the gap is to be measured after <paramref name="iteration"/> (always at the last allowed one).</summary>
    public bool IsDue(int iteration, int maxIterations) => iteration >= _next || iteration >= maxIterations;

    /// <summary>Records a measured gap and sets the next iteration to measure at.</summary>
    public void Measured(int iteration, double gap)
    {
        var skip = 1;
        if (gap > requestedGap && gap < _lastGap && iteration > _lastIteration)
        {
            var ratePerIteration = Math.Log(gap / _lastGap) / (iteration - _lastIteration);
            var needed = Math.Log(requestedGap / gap) / ratePerIteration;
            skip = (int)Math.Clamp(Math.Ceiling(needed), 1, MaxSkip);
        }
        _lastGap = gap;
        _lastIteration = iteration;
        _next = iteration + skip;
    }
}
