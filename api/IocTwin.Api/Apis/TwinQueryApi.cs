using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>Read-only views of the live twin.</summary>
public static class TwinQueryApi
{
    public static IEndpointRouteBuilder MapTwinQueryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Twin");
        api.MapGet("/city", GetCity).WithSummary("City KPIs and every district's KPIs.");
        api.MapGet("/districts", GetDistricts).WithSummary("All districts with boundary and KPIs.");
        api.MapGet("/districts/{id}", GetDistrict);
        api.MapGet("/districts/{id}/segments", GetDistrictSegments);
        api.MapGet("/districts/{id}/sensors", GetDistrictSensors);
        api.MapGet("/segments/{id}", GetSegment);
        api.MapGet("/sensors/{id}", GetSensor);
        return app;
    }

    public static async Task<Ok<CityView>> GetCity(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get());

    public static async Task<Ok<List<DistrictView>>> GetDistricts(IGrainFactory grains)
    {
        var city = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).Get();
        var districts = await Task.WhenAll(city.Districts.Select(d => grains.GetGrain<IDistrictGrain>(d.DistrictId).Get()));
        return TypedResults.Ok(districts.OfType<DistrictView>().ToList());
    }

    public static async Task<Results<Ok<DistrictView>, ProblemHttpResult>> GetDistrict(string id, IGrainFactory grains) =>
        await grains.GetGrain<IDistrictGrain>(id).Get() is { } district
            ? TypedResults.Ok(district)
            : Problems.NotFound("district", id);

    public static async Task<Results<Ok<List<SegmentView>>, ProblemHttpResult>> GetDistrictSegments(string id, IGrainFactory grains)
    {
        if (await MembersOf(id, grains) is not { } members)
        {
            return Problems.NotFound("district", id);
        }
        var segments = await Task.WhenAll(members.SegmentIds.Select(s => grains.GetGrain<IRoadSegmentGrain>(s).Get()));
        return TypedResults.Ok(segments.OfType<SegmentView>().ToList());
    }

    public static async Task<Results<Ok<List<SensorView>>, ProblemHttpResult>> GetDistrictSensors(string id, IGrainFactory grains)
    {
        if (await MembersOf(id, grains) is not { } members)
        {
            return Problems.NotFound("district", id);
        }
        var sensors = await Task.WhenAll(members.SensorIds.Select(s => grains.GetGrain<ISensorGrain>(s).Get()));
        return TypedResults.Ok(sensors.OfType<SensorView>().ToList());
    }

    public static async Task<Results<Ok<SegmentView>, ProblemHttpResult>> GetSegment(string id, IGrainFactory grains) =>
        await grains.GetGrain<IRoadSegmentGrain>(id).Get() is { } segment
            ? TypedResults.Ok(segment)
            : Problems.NotFound("segment", id);

    public static async Task<Results<Ok<SensorView>, ProblemHttpResult>> GetSensor(string id, IGrainFactory grains) =>
        await grains.GetGrain<ISensorGrain>(id).Get() is { } sensor
            ? TypedResults.Ok(sensor)
            : Problems.NotFound("sensor", id);

    private static async Task<DistrictMembers?> MembersOf(string id, IGrainFactory grains)
    {
        var district = grains.GetGrain<IDistrictGrain>(id);
        return await district.Get() is null ? null : await district.GetMembers();
    }
}
