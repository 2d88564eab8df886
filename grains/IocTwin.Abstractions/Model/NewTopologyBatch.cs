namespace IocTwin.Model;

/// <summary>
/// Segments and sensors new to the twin, stored together by <c>ITopologyBatchGrain</c>. A sensor on a segment comes in
/// the same batch as its segment, so each segment is stored once, with all its sensors.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NewTopologyBatch(
    [property: Id(0)] IReadOnlyList<SegmentSpec> Segments,
    [property: Id(1)] IReadOnlyList<SensorSpec> Sensors);
