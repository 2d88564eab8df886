namespace IocTwin.Topology;

/// <summary>
/// Size of a synthetic city. The same options always produce the same city. <see cref="WardsPerDistrict"/> above 1
/// gives it a second level: each district cut into that many wards, which hold its segments and sensors.
/// </summary>
public sealed record SyntheticCityOptions(int Districts, int Segments, int Sensors, int Seed = 1, int WardsPerDistrict = 0);
