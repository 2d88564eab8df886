using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>Read-only views of the live twin, each cut to what the caller's token covers; ids the topology does not hold are 404s.</summary>
public static class TwinQueryApi
{
    public static IEndpointRouteBuilder MapTwinQueryApi(this IEndpointRouteBuilder group)
    {
        var api = group.MapGroup("").WithTags("Twin");
        api.MapGet("/city", GetCity).WithSummary("City KPIs and every district's KPIs (IOC and viewers).");
        api.MapGet("/districts", GetDistricts).WithSummary("The districts the caller may see, with boundary and KPIs.");
        api.MapGet("/districts/{id}", GetDistrict);
        api.MapGet("/districts/{id}/segments", GetDistrictSegments);
        api.MapGet("/districts/{id}/sensors", GetDistrictSensors);
        api.MapGet("/segments/{id}", GetSegment);
        api.MapGet("/sensors/{id}", GetSensor);
        return group;
    }

    public static async Task<Results<Ok<CityView>, ProblemHttpResult>> GetCity(HttpContext http, IGrainFactory grains) =>
        http.Access().SeesEverything
            ? TypedResults.Ok(await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get())
            : AccessExtensions.Forbidden("the whole city");

    public static async Task<Ok<List<DistrictView>>> GetDistricts(HttpContext http, IGrainFactory grains)
    {
        var access = http.Access();
        var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
        var districts = await Task.WhenAll(city.Districts!.Where(d => access.CanSeeDistrict(d.Id))
            .Select(d => grains.GetGrain<IDistrictGrain>(d.Id).Get()));
        return TypedResults.Ok(districts.OfType<DistrictView>().ToList());
    }

    public static async Task<Results<Ok<DistrictView>, ProblemHttpResult>> GetDistrict(string id, HttpContext http, IGrainFactory grains, KnownEntities known)
    {
        if (await known.RefuseUnknownAsync(EntityKind.District, id) is { } unknown)
        {
            return unknown;
        }
        if (await grains.GetGrain<IDistrictGrain>(id).Get() is not { } district)
        {
            return Problems.NotFound("district", id);
        }
        return http.Access().CanSeeDistrict(id) ? TypedResults.Ok(district) : AccessExtensions.Forbidden($"district '{id}'");
    }

    public static async Task<Results<Ok<List<SegmentView>>, ProblemHttpResult>> GetDistrictSegments(string id, HttpContext http, IGrainFactory grains, KnownEntities known)
    {
        var access = http.Access();
        if (await known.RefuseUnknownAsync(EntityKind.District, id) is { } unknown)
        {
            return unknown;
        }
        if (await MembersOf(id, grains) is not { } members)
        {
            return Problems.NotFound("district", id);
        }
        if (!access.CanSeeSegment(id))
        {
            return AccessExtensions.Forbidden($"the roads of district '{id}'");
        }
        var segments = await Task.WhenAll(members.SegmentIds.Select(s => grains.GetGrain<IRoadSegmentGrain>(s).Get()));
        return TypedResults.Ok(segments.OfType<SegmentView>().ToList());
    }

    public static async Task<Results<Ok<List<SensorView>>, ProblemHttpResult>> GetDistrictSensors(string id, HttpContext http, IGrainFactory grains, KnownEntities known)
    {
        var access = http.Access();
        if (await known.RefuseUnknownAsync(EntityKind.District, id) is { } unknown)
        {
            return unknown;
        }
        if (await MembersOf(id, grains) is not { } members)
        {
            return Problems.NotFound("district", id);
        }
        if (!access.CanSeeDistrict(id))
        {
            return AccessExtensions.Forbidden($"district '{id}'");
        }
        var sensors = await Task.WhenAll(members.SensorIds.Select(s => grains.GetGrain<ISensorGrain>(s).Get()));
        return TypedResults.Ok(sensors.OfType<SensorView>().Where(s => access.CanSeeSensor(s.DistrictId, s.Sector)).ToList());
    }

    public static async Task<Results<Ok<SegmentView>, ProblemHttpResult>> GetSegment(string id, HttpContext http, IGrainFactory grains, KnownEntities known)
    {
        if (await known.RefuseUnknownAsync(EntityKind.Segment, id) is { } unknown)
        {
            return unknown;
        }
        if (await grains.GetGrain<IRoadSegmentGrain>(id).Get() is not { } segment)
        {
            return Problems.NotFound("segment", id);
        }
        return http.Access().CanSeeSegment(segment.DistrictId) ? TypedResults.Ok(segment) : AccessExtensions.Forbidden($"segment '{id}'");
    }

    public static async Task<Results<Ok<SensorView>, ProblemHttpResult>> GetSensor(string id, HttpContext http, IGrainFactory grains, KnownEntities known)
    {
        if (await known.RefuseUnknownAsync(EntityKind.Sensor, id) is { } unknown)
        {
            return unknown;
        }
        if (await grains.GetGrain<ISensorGrain>(id).Get() is not { } sensor)
        {
            return Problems.NotFound("sensor", id);
        }
        return http.Access().CanSeeSensor(sensor.DistrictId, sensor.Sector) ? TypedResults.Ok(sensor) : AccessExtensions.Forbidden($"sensor '{id}'");
    }

    private static async Task<DistrictMembers?> MembersOf(string id, IGrainFactory grains)
    {
        var district = grains.GetGrain<IDistrictGrain>(id);
        return await district.Get() is null ? null : await district.GetMembers();
    }
}
