using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The whole city; one per deployment, key <see cref="CityGrainKey.Id"/>.</summary>
public interface ICityGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CityView> Get();

    /// <summary>
    /// Enters an area of any level in the city's tree of areas; one directly under the city (no parent) also counts in
    /// the city's KPIs, one that has moved under a parent no longer does.
    /// </summary>
    [Alias("AttachDistrict")]
    Task AttachDistrict(DistrictSnapshot district);

    /// <summary>The latest KPIs of an area directly under the city; others are ignored.</summary>
    [Alias("ReportDistrict")]
    Task ReportDistrict(DistrictSnapshot district);

    /// <summary>Every area of the city, with its kind and parent.</summary>
    [Alias("GetAreas")]
    Task<AreaTree> GetAreas();
}
