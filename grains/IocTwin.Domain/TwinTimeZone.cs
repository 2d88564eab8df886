namespace IocTwin.Domain;

/// <summary>
/// The city's time zone (setting Twin:TimeZone, an IANA id): the rush hours of the synthetic feed, a scenario's time of
/// day and the screens' clocks are read in it, while the twin stores and sends every time in UTC.
/// </summary>
public sealed class TwinTimeZone
{
    public const string SettingName = "Twin:TimeZone";
    public const string DefaultId = "Asia/Ho_Chi_Minh";

    /// <summary>Đà Nẵng, UTC+7 all year (Vietnam keeps no daylight saving time).</summary>
    public static readonly TwinTimeZone Default = new(FindOrFixed(DefaultId));

    private TwinTimeZone(TimeZoneInfo zone)
    {
        Zone = zone;
        // The screens format with Intl.DateTimeFormat, which knows IANA ids only.
        IanaId = zone.HasIanaId ? zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana : zone.Id;
    }

    public TimeZoneInfo Zone { get; }

    public string IanaId { get; }

    /// <summary>A UTC time as the city's clocks show it.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, Zone);

    /// <summary>The zone of an id; null or empty is the default. An unknown id stops the start, naming the setting.</summary>
    public static TwinTimeZone Parse(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id == DefaultId)
        {
            return Default;
        }
        try
        {
            return new TwinTimeZone(TimeZoneInfo.FindSystemTimeZoneById(id));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException(
                $"{SettingName} '{id}' is not a time zone this machine knows; use an IANA id such as {DefaultId} or Europe/Berlin.", ex);
        }
    }

    /// <summary>A host without time zone data (a slim container) still runs in Đà Nẵng time.</summary>
    private static TimeZoneInfo FindOrFixed(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(7), id, id);
        }
    }
}
