using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>A feature that passed its own checks and waits for the checks across the file (unique ids, references).</summary>
internal abstract record FeatureCandidate(int Index, string Id);

internal sealed record DistrictCandidate(int Index, string Id, DistrictSpec Spec) : FeatureCandidate(Index, Id);

internal sealed record SegmentCandidate(int Index, string Id, SegmentSpec Spec) : FeatureCandidate(Index, Id);

/// <summary>A sensor whose district may still come from its segment; <see cref="Spec"/> holds an empty district until then.</summary>
internal sealed record SensorCandidate(int Index, string Id, SensorSpec Spec, string? DistrictId) : FeatureCandidate(Index, Id);
