namespace IocTwin.Domain;

/// <summary>Value names a sensor of each kind reports, and their units.</summary>
public static class ReadingNames
{
    /// <summary>Vehicles per hour (traffic counter).</summary>
    public const string Flow = "flow";
    /// <summary>km/h (traffic counter, speed camera).</summary>
    public const string Speed = "speed";
    /// <summary>Percent of time the detector is occupied, 0–100 (traffic counter).</summary>
    public const string Occupancy = "occupancy";
    /// <summary>US EPA air quality index (air quality).</summary>
    public const string Aqi = "aqi";
    /// <summary>µg/m³ (air quality).</summary>
    public const string Pm25 = "pm25";
    /// <summary>Metres of water above the reference point (water level).</summary>
    public const string Level = "level";
    /// <summary>mm/h (rain gauge).</summary>
    public const string Rainfall = "rainfall";
    /// <summary>dB(A) (noise).</summary>
    public const string Noise = "db";
    /// <summary>1 when lit, 0 when off (streetlight).</summary>
    public const string On = "on";
    /// <summary>Watts (streetlight).</summary>
    public const string Power = "power";
    /// <summary>Bar (water pressure).</summary>
    public const string Pressure = "pressure";
    /// <summary>People in view (people counter).</summary>
    public const string Count = "count";
}
