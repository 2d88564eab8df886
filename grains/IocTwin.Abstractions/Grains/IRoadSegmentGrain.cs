using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>A road segment. Key: the segment id.</summary>
public interface IRoadSegmentGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task<SegmentView> Register(SegmentSpec spec);

    [Alias("Get")]
    Task<SegmentView?> Get();

    /// <summary>Adds a sensor to the segment (persisted at once) or refreshes its live values.</summary>
    [Alias("AttachSensor")]
    Task AttachSensor(SensorSnapshot sensor);

    /// <summary>The latest live values of sensors of the segment; others are ignored.</summary>
    [Alias("ReportSensors")]
    Task ReportSensors([Immutable] SensorSnapshot[] sensors);

    [Alias("DetachSensor")]
    Task DetachSensor(string sensorId);
}
