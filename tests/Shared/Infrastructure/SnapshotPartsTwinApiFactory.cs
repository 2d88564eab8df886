using System.Globalization;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// The sample twin sending snapshots of more than <see cref="SensorsPerPart"/> sensors or <see cref="SegmentsPerPart"/>
/// segments in parts: the city, a sector and the bigger districts come in parts, the smallest districts and entities whole.
/// The sample's 119 segments make fewer runs than its 356 sensors, so the city's last parts carry sensors only.
/// </summary>
public sealed class SnapshotPartsTwinApiFactory : TwinApiFactory
{
    public const int SensorsPerPart = 50;
    public const int SegmentsPerPart = 20;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Streaming:SnapshotSensorsPerFrame"] = SensorsPerPart.ToString(CultureInfo.InvariantCulture),
        ["Streaming:SnapshotSegmentsPerFrame"] = SegmentsPerPart.ToString(CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class SnapshotPartsCollection : ICollectionFixture<SnapshotPartsTwinApiFactory>
{
    public const string Name = "twin api sending snapshots in parts";
}
