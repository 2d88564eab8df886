using IocTwin.Model;

namespace IocTwin.Topology;

/// <summary>A feature that passed its own checks and waits for the checks across the file (unique ids, references).</summary>
internal abstract record FeatureCandidate(int Index, string Id);

internal sealed record AreaCandidate(int Index, string Id, DistrictSpec Spec) : FeatureCandidate(Index, Id);

/// <summary>A segment; <see cref="AreaId"/> is the area it names (null: none), which may be an area above its leaf.</summary>
internal sealed record SegmentCandidate(int Index, string Id, SegmentSpec Spec, string? AreaId) : FeatureCandidate(Index, Id);

/// <summary>A sensor whose area may still come from its segment or location; <see cref="Spec"/> holds an empty area until then.</summary>

/// <summary>A segment whose leaf area may still come from its geometry; <see cref="Spec"/> holds an empty area until then.</summary>
internal sealed record SensorCandidate(int Index, string Id, SensorSpec Spec, string? DistrictId) : FeatureCandidate(Index, Id);
