using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>The catalogue of sectors as stored before it carried a version, with the same field ids.</summary>
[GenerateSerializer]
public sealed record SectorCatalogDocumentBeforeVersions(
    [property: Id(0)] IReadOnlyList<SectorDefinition> Sectors,
    [property: Id(1)] IReadOnlyList<SensorKindDefinition> Kinds);

[GenerateSerializer]
public sealed class SectorCatalogStateBeforeVersions
{
    [Id(0)] public SectorCatalogDocumentBeforeVersions? Catalog { get; set; }
}

public sealed class SectorCatalogStoredFormatTests
{
    [Fact]
    public void A_catalogue_stored_before_versions_loads_whole_with_version_0()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var parks = new SectorDefinition("parks", "Công viên", "Parks", "#2e7d32");
        var soil = new SensorKindDefinition("soil-moisture", "parks", [new("moisture", "%", 0, 100)]);
        var stored = serializer.SerializeToArray(new SectorCatalogStateBeforeVersions { Catalog = new([parks], [soil]) });

        var loaded = serializer.Deserialize<SectorCatalogState>(stored)!.Catalog!;

        Assert.Equal((parks, 0L), (Assert.Single(loaded.Sectors), loaded.Version));
        Assert.Equal("soil-moisture", Assert.Single(loaded.Kinds).Id);
    }
}
