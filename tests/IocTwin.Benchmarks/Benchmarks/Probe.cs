namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>A reading of a watched sensor: the count it brings the sensor to, and when its POST was acknowledged.</summary>
internal sealed class Probe(string sensorId, string districtId, long count, long sentAt)
{
    /// <summary>When it was handed to the feed (a Stopwatch timestamp): from then on, the sensor's earlier probe is no longer its latest.</summary>
    public long SentAt { get; } = sentAt;

    public string SensorId { get; } = sensorId;
    public string DistrictId { get; } = districtId;
    /// <summary>The sensor's reading count once this reading is applied; one less for each earlier reading refused.</summary>
    public long Count { get; set; } = count;
    public long? Acknowledged { get; set; }
    /// <summary>Its POST was refused (429): the reading was never applied, so no receiver is expected to see it.</summary>
    public bool Refused { get; set; }
}
