using IocTwin.Domain;
using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>What an area grain stores: its spec, members as they last reported, alerts, open reports and asset moves.</summary>
[GenerateSerializer]
public sealed class DistrictState
{
    [Id(0)] public DistrictSpec? Spec { get; set; }
    [Id(1)] public Dictionary<string, SegmentSnapshot> Segments { get; set; } = [];
    /// <summary>Sensors that belong to the district directly, not through a segment.</summary>
    [Id(2)] public Dictionary<string, SensorSnapshot> Sensors { get; set; } = [];
    [Id(3)] public long Version { get; set; }
    [Id(4)] public AlertBook Alerts { get; set; } = new();
    /// <summary>The areas directly below this one, as they last reported; empty for a leaf area.</summary>
    [Id(5)] public Dictionary<string, DistrictSnapshot> Children { get; set; } = [];
    /// <summary>The area's open citizen reports, by report id: counted in its KPIs.</summary>
    [Id(6)] public Dictionary<string, OpenReport> Reports { get; set; } = [];
    /// <summary>Moving assets that entered the area from outside it, and left it, since it was created.</summary>
    [Id(7)] public long AssetsEntered { get; set; }
    [Id(8)] public long AssetsLeft { get; set; }
}
