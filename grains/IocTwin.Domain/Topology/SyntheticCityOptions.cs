namespace IocTwin.Topology;

/// <summary>Size of a synthetic city. The same options always produce the same city.</summary>
public sealed record SyntheticCityOptions(int Districts, int Segments, int Sensors, int Seed = 1);
