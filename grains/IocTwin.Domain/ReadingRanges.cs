using System.Globalization;

namespace IocTwin.Domain;

/// <summary>
/// The physically possible range of each value a sensor reports. A reading outside it is a faulty device or a hostile
/// sender, never data: it is refused at ingest whichever way it arrives, and skipped where older history still holds one.
/// Bounded inputs also keep every KPI sum and length-weighted mean finite.
/// </summary>
public static class ReadingRanges
{
    /// <summary>Values with a name the twin does not interpret are still bounded, so no sum of them can overflow.</summary>
    public static readonly ValueRange Other = new(-1e9, 1e9, "");

    private static readonly Dictionary<string, ValueRange> Known = new(StringComparer.Ordinal)
    {
        // Fastest road vehicle plausibly measured on a city road, with margin.
        [ReadingNames.Speed] = new(0, 300, "km/h"),
        // A 12-lane road saturates near 2,400 vehicles per lane-hour; counters also report short spikes.
        [ReadingNames.Flow] = new(0, 30_000, "veh/h"),
        [ReadingNames.Occupancy] = new(0, 100, "%"),
        // The US EPA index is defined to 500; instruments report "beyond index" values up to 999.
        [ReadingNames.Aqi] = new(0, 999, ""),
        [ReadingNames.Pm25] = new(0, 5_000, "µg/m³"),
        // Metres against the gauge's own datum, which can sit above the water (negative levels).
        [ReadingNames.Level] = new(-50, 100, "m"),
        // The highest rain rates ever recorded are a few hundred mm/h.
        [ReadingNames.Rainfall] = new(0, 500, "mm/h"),
        [ReadingNames.Noise] = new(0, 194, "dB(A)"),
        [ReadingNames.On] = new(0, 1, ""),
        [ReadingNames.Power] = new(0, 100_000, "W"),
        [ReadingNames.Pressure] = new(0, 100, "bar"),
        [ReadingNames.Count] = new(0, 1_000_000, ""),
    };

    public static ValueRange For(string name) => Known.GetValueOrDefault(name, Other);

    /// <summary>True when the value is a finite number inside its name's range.</summary>
    public static bool Allows(string name, double value) => For(name).Contains(value);

    /// <summary>
    /// The values of a stored reading that are still acceptable, or the same dictionary when all are: history written
    /// before the ranges were enforced may hold values no sender should have been able to store.
    /// </summary>
    public static Dictionary<string, double> Acceptable(Dictionary<string, double> values)
    {
        foreach (var (name, value) in values)
        {
            if (!Allows(name, value))
            {
                return values.Where(v => Allows(v.Key, v.Value)).ToDictionary(v => v.Key, v => v.Value);
            }
        }
        return values;
    }
}

/// <summary>An inclusive range of acceptable values and the unit they are in.</summary>
public readonly record struct ValueRange(double Min, double Max, string Unit)
{
    public bool Contains(double value) => value >= Min && value <= Max;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"must be a number from {Min:#,0.###} to {Max:#,0.###}{(Unit.Length == 0 ? "" : " " + Unit)}");
}
