using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IocTwin.Tests.Persistence;

/// <summary>A district as registered before areas nested, with the same field ids.</summary>
[GenerateSerializer]
public sealed record DistrictSpecBeforeAreas(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] IReadOnlyList<GeoPoint> Boundary);

/// <summary>A district grain's state as stored before areas nested, with the same field ids.</summary>
[GenerateSerializer]
public sealed class DistrictStateBeforeAreas
{
    [Id(0)] public DistrictSpecBeforeAreas? Spec { get; set; }
    [Id(1)] public Dictionary<string, SegmentSnapshot> Segments { get; set; } = [];
    [Id(3)] public long Version { get; set; }
}

/// <summary>What a district reported to the city before areas nested, with the same field ids.</summary>
[GenerateSerializer]
public sealed record DistrictSnapshotBeforeAreas(
    [property: Id(0)] string DistrictId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? NameEn,
    [property: Id(3)] DistrictKpis Kpis,
    [property: Id(4)] long Version);

/// <summary>The city grain's state as stored before areas nested, with the same field ids.</summary>
[GenerateSerializer]
public sealed class CityStateBeforeAreas
{
    [Id(0)] public Dictionary<string, DistrictSnapshotBeforeAreas> Districts { get; set; } = [];
    [Id(1)] public long Version { get; set; }
}

/// <summary>District and city state stored before areas nested loads as a tree of districts directly under the city.</summary>
public sealed class AreaStoredStateTests
{
    private readonly Serializer _serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void A_district_stored_before_areas_nested_loads_as_an_area_under_the_city_with_no_children()
    {
        var boundary = new List<GeoPoint> { new(108.2, 16.05), new(108.23, 16.05), new(108.23, 16.08) };
        var stored = _serializer.SerializeToArray(new DistrictStateBeforeAreas
        {
            Spec = new DistrictSpecBeforeAreas("hai-chau", "Hải Châu", "Hai Chau", boundary),
            Version = 41,
        });

        var loaded = _serializer.Deserialize<DistrictState>(stored)!;

        Assert.Equal(("hai-chau", "Hải Châu", 41L), (loaded.Spec!.Id, loaded.Spec.Name, loaded.Version));
        Assert.Equal(boundary, loaded.Spec.Boundary);
        // No kind was stored: the grain reads it as a district, directly under the city, drawn from real data.
        Assert.Equal(AreaKinds.District, AreaKinds.OrDistrict(loaded.Spec.Kind));
        Assert.Null(loaded.Spec.ParentId);
        Assert.False(loaded.Spec.Schematic);
        Assert.Empty(loaded.Children);
    }

    [Fact]
    public void A_city_stored_before_areas_nested_loads_its_districts_as_the_areas_directly_under_it()
    {
        var stored = _serializer.SerializeToArray(new CityStateBeforeAreas
        {
            Districts = { ["hai-chau"] = new DistrictSnapshotBeforeAreas("hai-chau", "Hải Châu", null, DistrictKpis.Empty, 3) },
            Version = 9,
        });

        var loaded = _serializer.Deserialize<CityState>(stored)!;

        Assert.Equal(9, loaded.Version);
        Assert.Equal("hai-chau", loaded.Districts["hai-chau"].DistrictId);
        Assert.Null(loaded.Districts["hai-chau"].ParentId);
        Assert.Empty(loaded.Areas);
    }
}
