using IocTwin.Model;

namespace IocTwin.Api.Streaming;

/// <summary>
/// How a live update is laid over a record held whole, as a screen merges deltas: the newer wins (areas and segments by
/// version, sensors by reading count, alerts by state), the fields an update leaves out kept from the other. Used for
/// the state the process holds (<see cref="HeldTwin"/>) and for the records city and sector screens share.
/// </summary>
public static class HeldRecordMerge
{
    /// <summary>
    /// The newer of two records of one area, the fields a live update leaves out taken from the other. The update's
    /// parent is the area's current one (null: under the city); its kind, children and outline come from the read.
    /// </summary>
    public static DistrictView Newer(DistrictView known, DistrictView update) => update.Version < known.Version ? known : update with
    {
        NameEn = update.NameEn ?? known.NameEn,
        Boundary = update.Boundary ?? known.Boundary,
        SegmentCount = update.SegmentCount ?? known.SegmentCount,
        SensorCount = update.SensorCount ?? known.SensorCount,
        Sectors = update.Sectors ?? known.Sectors,
        Kind = update.Kind ?? known.Kind,
        ChildIds = update.ChildIds ?? known.ChildIds,
        Schematic = update.Schematic || known.Schematic,
        MoreParts = update.MoreParts ?? known.MoreParts,
    };

    public static SegmentView Newer(SegmentView known, SegmentView update) => update.Version < known.Version ? known : update with
    {
        Spec = update.Spec ?? known.Spec,
        SensorIds = update.SensorIds ?? known.SensorIds,
    };

    /// <summary>
    /// A sensor's newer values keep its name and location; the last reading and version are its grain's, and are left out
    /// once values newer than them arrived, so that a snapshot never pairs new values with an older reading.
    /// </summary>
    public static SensorView Newer(SensorView known, SensorView update) =>
        update.ReadingCount < known.ReadingCount ? known
        : update.LastReading is null && update.ReadingCount == known.ReadingCount ? update with
        {
            Name = update.Name ?? known.Name,
            Location = update.Location ?? known.Location,
            LastReading = known.LastReading,
            Version = known.Version,
        }
        : update with { Name = update.Name ?? known.Name, Location = update.Location ?? known.Location };

    /// <summary>The later of two records of one alert: an alert only moves on (raised, acknowledged, resolved).</summary>
    public static AlertView Newer(AlertView known, AlertView update) => update.State < known.State ? known : update;

    /// <summary>The city's newer totals; its list of areas (left out of live updates) kept from the record read.</summary>
    public static CityView Newer(CityView known, CityView update) =>
        update.Version < known.Version ? known : update with { Districts = update.Districts ?? known.Districts };
}
