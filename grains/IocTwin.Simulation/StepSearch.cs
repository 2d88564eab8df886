namespace IocTwin.Simulation;

/// <summary>The Frank–Wolfe step: where the Beckmann objective stops falling along the search direction.</summary>
internal static class StepSearch
{
    /// <summary>
    /// The λ in [0, 1] where <paramref name="slope"/> (Σ d·t(x + λd)) crosses zero, by <paramref name="steps"/> bisections;
    /// 1 when it is still falling at 1, 0 when it rises from the start.
    /// </summary>
    public static double Bisect(Func<double, double> slope, int steps)
    {
        if (slope(1) <= 0)
        {
            return 1;
        }
        if (slope(0) >= 0)
        {
            return 0;
        }
        double low = 0, high = 1;
        for (var i = 0; i < steps; i++)
        {
            var middle = (low + high) / 2;
            if (slope(middle) < 0)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return (low + high) / 2;
    }
}
