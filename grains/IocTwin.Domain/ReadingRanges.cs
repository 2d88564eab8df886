using System.Globalization;
using IocTwin.Model;

namespace IocTwin.Domain;

/// <summary>
/// The physically possible range of each value a sensor reports. A reading outside it is a faulty device or a hostile
/// sender, never data: it is refused at ingest whichever way it arrives, and skipped where older history still holds one.
/// Bounded inputs also keep every KPI sum and length-weighted mean finite. The ranges come with the sensor kinds the
/// city defines (<see cref="DefaultSectors"/> holds today's: the fastest vehicle plausibly measured on a city road,
/// 2,400 vehicles per lane-hour on 12 lanes with spikes, the EPA index to its 999 "beyond index", gauge levels against
/// their own datum, the highest rain rates ever recorded ...).
/// </summary>
public static class ReadingRanges
{
    /// <summary>Values with a name the twin does not interpret are still bounded, so no sum of them can overflow.</summary>
    public static readonly ValueRange Other = new(-1e9, 1e9, "");

    /// <summary>The range the city's sensor kinds give the name (<see cref="SectorCatalog"/>).</summary>
    public static ValueRange For(string name) => SectorCatalog.Current.RangeOf(name);

    /// <summary>True when the value is a finite number inside its name's range.</summary>
    public static bool Allows(string name, double value) => For(name).Contains(value);

    /// <summary>
    /// The values of a stored reading that are still acceptable, or the same values when all are: history written
    /// before the ranges were enforced may hold values no sender should have been able to store.
    /// </summary>
    public static ReadingValues Acceptable(ReadingValues values) => values.Where(Allows);
}

/// <summary>An inclusive range of acceptable values and the unit they are in.</summary>
public readonly record struct ValueRange(double Min, double Max, string Unit)
{
    public bool Contains(double value) => value >= Min && value <= Max;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"must be a number from {Min:#,0.###} to {Max:#,0.###}{(Unit.Length == 0 ? "" : " " + Unit)}");
}
