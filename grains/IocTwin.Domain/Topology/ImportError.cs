namespace IocTwin.Topology;

/// <summary>
/// A problem with one feature of an import. <see cref="Field"/> is a path into the document such as
/// <c>features[3].properties.kind</c> or <c>features[3].geometry</c>.
/// </summary>
public sealed record ImportError(int FeatureIndex, string? Id, string Field, string Message);
