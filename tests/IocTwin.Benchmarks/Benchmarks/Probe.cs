namespace IocTwin.Benchmarks.Benchmarks;

/// <summary>A reading of a watched sensor: the count it brings the sensor to, and when its POST was acknowledged.</summary>
internal sealed class Probe(string sensorId, string districtId, long count)
{
    public string SensorId { get; } = sensorId;
    public string DistrictId { get; } = districtId;
    public long Count { get; } = count;
    public long? Acknowledged { get; set; }
}
