using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace IocTwin.Model;

/// <summary>
/// One change an operator tries on a fork of the twin, one record per kind behind the "kind" discriminator
/// (<see cref="InterventionKinds"/>). Minutes count from the start of the run; a null end lasts to the end.
/// Fields a kind needs are nullable so that a request missing one is answered naming it; the API checks them.
/// </summary>
[GenerateSerializer, Immutable]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(CloseSegmentSpec), InterventionKinds.CloseSegment)]
[JsonDerivedType(typeof(ReopenSegmentSpec), InterventionKinds.ReopenSegment)]
[JsonDerivedType(typeof(CapacitySpec), InterventionKinds.Capacity)]
[JsonDerivedType(typeof(SpeedLimitSpec), InterventionKinds.SpeedLimit)]
[JsonDerivedType(typeof(IncidentSpec), InterventionKinds.Incident)]
[JsonDerivedType(typeof(RainSpec), InterventionKinds.Rain)]
[JsonDerivedType(typeof(DemandSpec), InterventionKinds.Demand)]
public abstract record InterventionSpec([property: Id(0)] double StartMinute = 0, [property: Id(1)] double? EndMinute = null)
{
    // Read from the attributes above, so that a kind's name is written once.
    private static readonly FrozenDictionary<Type, string> KindNames = typeof(InterventionSpec)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToFrozenDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);

    /// <summary>The kind's name on the wire, e.g. "close-segment".</summary>
    [JsonIgnore]
    public string Kind => KindNames[GetType()];
}

/// <summary>An intervention on one road segment.</summary>
[GenerateSerializer, Immutable]
public abstract record SegmentInterventionSpec([property: Id(0)] string SegmentId, double StartMinute = 0, double? EndMinute = null)
    : InterventionSpec(StartMinute, EndMinute);

/// <summary>Closes a segment to traffic in both directions.</summary>
[GenerateSerializer, Immutable]
public sealed record CloseSegmentSpec(string SegmentId, double StartMinute = 0, double? EndMinute = null)
    : SegmentInterventionSpec(SegmentId, StartMinute, EndMinute);

/// <summary>Opens a segment that the city registers as closed or flooded.</summary>
[GenerateSerializer, Immutable]
public sealed record ReopenSegmentSpec(string SegmentId, double StartMinute = 0, double? EndMinute = null)
    : SegmentInterventionSpec(SegmentId, StartMinute, EndMinute);

/// <summary>Gives a segment a new capacity: <see cref="Value"/> vehicles per hour, both directions together.</summary>
[GenerateSerializer, Immutable]
public sealed record CapacitySpec(string SegmentId, [property: Id(0)] double? Value, double StartMinute = 0, double? EndMinute = null)
    : SegmentInterventionSpec(SegmentId, StartMinute, EndMinute);

/// <summary>Gives a segment a new speed limit: <see cref="Value"/> km/h.</summary>
[GenerateSerializer, Immutable]
public sealed record SpeedLimitSpec(string SegmentId, [property: Id(0)] double? Value, double StartMinute = 0, double? EndMinute = null)
    : SegmentInterventionSpec(SegmentId, StartMinute, EndMinute);

/// <summary>An incident taking <see cref="Value"/> (a share, 0.5 when not given) of a segment's capacity.</summary>
[GenerateSerializer, Immutable]
public sealed record IncidentSpec(string SegmentId, [property: Id(0)] double? Value = null, double StartMinute = 0, double? EndMinute = null)
    : SegmentInterventionSpec(SegmentId, StartMinute, EndMinute)
{
    public const double DefaultCapacityReduction = 0.5;
}

/// <summary>Rain on a district: <see cref="Value"/> mm/h.</summary>
[GenerateSerializer, Immutable]
public sealed record RainSpec([property: Id(0)] string DistrictId, [property: Id(1)] double? Value, double StartMinute = 0, double? EndMinute = null)
    : InterventionSpec(StartMinute, EndMinute);

/// <summary>
/// <see cref="Value"/> extra trips over the window from one district to another; a null district is the whole city.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DemandSpec(
    [property: Id(2)] double? Value,
    [property: Id(0)] string? OriginDistrictId = null,
    [property: Id(1)] string? DestinationDistrictId = null,
    double StartMinute = 0,
    double? EndMinute = null)
    : InterventionSpec(StartMinute, EndMinute);

/// <summary>The kinds of intervention, as the "kind" field names them.</summary>
public static class InterventionKinds
{
    public const string CloseSegment = "close-segment";
    public const string ReopenSegment = "reopen-segment";
    public const string Capacity = "capacity";
    public const string SpeedLimit = "speed-limit";
    public const string Incident = "incident";
    public const string Rain = "rain";
    public const string Demand = "demand";

    public static readonly string[] All = [CloseSegment, ReopenSegment, Capacity, SpeedLimit, Incident, Rain, Demand];
}
