using System.Globalization;

namespace IocTwin.Tests.Infrastructure;

/// <summary>
/// The sample twin sending snapshots of more than <see cref="SensorsPerPart"/> sensors in parts: the city, a sector and
/// the bigger districts come in parts, the smallest districts and entities whole.
/// </summary>
public sealed class SnapshotPartsTwinApiFactory : TwinApiFactory
{
    public const int SensorsPerPart = 50;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Streaming:SnapshotSensorsPerFrame"] = SensorsPerPart.ToString(CultureInfo.InvariantCulture),
    };
}

[CollectionDefinition(Name)]
public sealed class SnapshotPartsCollection : ICollectionFixture<SnapshotPartsTwinApiFactory>
{
    public const string Name = "twin api sending snapshots in parts";
}
