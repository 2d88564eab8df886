using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>The whole city; one per deployment, key <see cref="CityGrainKey.Id"/>.</summary>
public interface ICityGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CityView> Get();

    [Alias("AttachDistrict")]
    Task AttachDistrict(DistrictSnapshot district);

    [Alias("ReportDistrict")]
    Task ReportDistrict(DistrictSnapshot district);
}
