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
        api.MapGet("/city", GetCity).WithSummary("City KPIs and those of every area directly under the city (IOC and viewers).");
        group.MapAreasApi();
        api.MapGet("/segments/{id}", GetSegment);
        api.MapGet("/sensors/{id}", GetSensor);
        return group;
    }

    public static async Task<Results<Ok<CityView>, ProblemHttpResult>> GetCity(HttpContext http, IGrainFactory grains) =>
        http.Access().SeesEverything
            ? TypedResults.Ok(await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get())
            : AccessExtensions.Forbidden("the whole city");

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
}
