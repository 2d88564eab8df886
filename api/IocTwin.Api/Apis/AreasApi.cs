using IocTwin.Api.Access;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>
/// The city's administrative areas (districts, wards, communes ... at any depth), each cut to what the caller's token
/// covers. The district routes are the same routes for areas of kind district.
/// </summary>
public static class AreasApi
{
    private const string DistrictAlias = "Kept from when districts were the only level: the same as the area route, for areas of kind district.";

    public static IEndpointRouteBuilder MapAreasApi(this IEndpointRouteBuilder group)
    {
        var areas = group.MapGroup("/areas").WithTags("Areas");
        areas.MapGet("", (HttpContext http, IGrainFactory grains, KnownEntities known, string? kind) => List(http, grains, known, kind))
            .WithSummary("The areas the caller may see, at every level (optionally of one kind), with boundary, kind, parent, children and KPIs.");
        areas.MapGet("/{id}", (string id, HttpContext http, IGrainFactory grains, KnownEntities known) => Get(id, http, grains, known, kind: null))
            .WithSummary("An area: boundary, kind, parent, children and KPIs rolled up from everything below it.");
        areas.MapGet("/{id}/children", Children).WithSummary("The areas directly below an area.");
        areas.MapGet("/{id}/segments", (string id, HttpContext http, IGrainFactory grains, KnownEntities known) => Segments(id, http, grains, known, kind: null))
            .WithSummary("The road segments of an area and of every area below it.");
        areas.MapGet("/{id}/sensors", (string id, HttpContext http, IGrainFactory grains, KnownEntities known) => Sensors(id, http, grains, known, kind: null))
            .WithSummary("The sensors of an area and of every area below it that the caller may see.");

        var districts = group.MapGroup("/districts").WithTags("Areas");
        districts.MapGet("", (HttpContext http, IGrainFactory grains, KnownEntities known) => List(http, grains, known, AreaKinds.District))
            .WithSummary("The areas of kind district the caller may see. " + DistrictAlias);
        districts.MapGet("/{id}", (string id, HttpContext http, IGrainFactory grains, KnownEntities known) => Get(id, http, grains, known, AreaKinds.District))
            .WithSummary("An area of kind district. " + DistrictAlias);
        districts.MapGet("/{id}/segments", (string id, HttpContext http, IGrainFactory grains, KnownEntities known) => Segments(id, http, grains, known, AreaKinds.District))
            .WithSummary("The road segments of a district and of every area below it. " + DistrictAlias);
        districts.MapGet("/{id}/sensors", (string id, HttpContext http, IGrainFactory grains, KnownEntities known) => Sensors(id, http, grains, known, AreaKinds.District))
            .WithSummary("The sensors of a district and of every area below it. " + DistrictAlias);
        return group;
    }

    public static async Task<Ok<List<DistrictView>>> List(HttpContext http, IGrainFactory grains, KnownEntities known, string? kind)
    {
        var access = http.Access();
        var tree = await grains.GetGrain<ICityGrain>(CityGrainKey.Id).GetAreas();
        await known.AreasHoldingAsync(tree.Links.Select(l => l.Id));
        var views = await Task.WhenAll(tree.Links.Where(l => kind is null || l.Kind == kind).Select(l => l.Id).Where(access.CanSeeDistrict)
            .Select(id => grains.GetGrain<IDistrictGrain>(id).Get()));
        return TypedResults.Ok(views.OfType<DistrictView>().Select(access.Shown).ToList());
    }

    public static async Task<Results<Ok<DistrictView>, ProblemHttpResult>> Get(string id, HttpContext http, IGrainFactory grains, KnownEntities known, string? kind)
    {
        if (await RefuseAsync(id, known, kind) is { } refused)
        {
            return refused;
        }
        if (await grains.GetGrain<IDistrictGrain>(id).Get() is not { } area)
        {
            return Problems.NotFound(kind ?? "area", id);
        }
        var access = http.Access();
        return access.CanSeeDistrict(id) ? TypedResults.Ok(access.Shown(area)) : AccessExtensions.Forbidden($"{kind ?? "area"} '{id}'");
    }

    public static async Task<Results<Ok<List<DistrictView>>, ProblemHttpResult>> Children(string id, HttpContext http, IGrainFactory grains, KnownEntities known)
    {
        if (await RefuseAsync(id, known, kind: null) is { } refused)
        {
            return refused;
        }
        var access = http.Access();
        if (!access.CanSeeDistrict(id))
        {
            return AccessExtensions.Forbidden($"area '{id}'");
        }
        var children = await Task.WhenAll(known.Areas.Children(id).Select(c => grains.GetGrain<IDistrictGrain>(c).Get()));
        return TypedResults.Ok(children.OfType<DistrictView>().Select(access.Shown).ToList());
    }

    public static async Task<Results<Ok<List<SegmentView>>, ProblemHttpResult>> Segments(string id, HttpContext http, IGrainFactory grains, KnownEntities known, string? kind)
    {
        if (await RefuseAsync(id, known, kind) is { } refused)
        {
            return refused;
        }
        if (!http.Access().CanSeeSegment(id))
        {
            return AccessExtensions.Forbidden($"the roads of {kind ?? "area"} '{id}'");
        }
        var members = await MembersBelowAsync(id, grains, known);
        var segments = await Task.WhenAll(members.SelectMany(m => m.SegmentIds).Select(s => grains.GetGrain<IRoadSegmentGrain>(s).Get()));
        return TypedResults.Ok(segments.OfType<SegmentView>().ToList());
    }

    public static async Task<Results<Ok<List<SensorView>>, ProblemHttpResult>> Sensors(string id, HttpContext http, IGrainFactory grains, KnownEntities known, string? kind)
    {
        if (await RefuseAsync(id, known, kind) is { } refused)
        {
            return refused;
        }
        var access = http.Access();
        if (!access.CanSeeDistrict(id))
        {
            return AccessExtensions.Forbidden($"{kind ?? "area"} '{id}'");
        }
        var members = await MembersBelowAsync(id, grains, known);
        var sensors = await Task.WhenAll(members.SelectMany(m => m.SensorIds).Select(s => grains.GetGrain<ISensorGrain>(s).Get()));
        return TypedResults.Ok(sensors.OfType<SensorView>().Where(s => access.CanSeeSensor(s.DistrictId, s.Sector)).ToList());
    }

    /// <summary>The 400 or 404 for an id the tree does not hold as an area (of the kind, when one is asked for).</summary>
    private static async Task<ProblemHttpResult?> RefuseAsync(string id, KnownEntities known, string? kind)
    {
        if (await known.RefuseUnknownAsync(EntityKind.District, id) is { } unknown)
        {
            return unknown.StatusCode == StatusCodes.Status404NotFound ? Problems.NotFound(kind ?? "area", id) : unknown;
        }
        return kind is not null && known.Areas.Find(id)?.Kind != kind ? Problems.NotFound(kind, id) : null;
    }

    /// <summary>What the area and every area below it hold, read side by side.</summary>
    private static Task<DistrictMembers[]> MembersBelowAsync(string id, IGrainFactory grains, KnownEntities known) =>
        Task.WhenAll(known.Areas.Subtree(id).Select(a => grains.GetGrain<IDistrictGrain>(a).GetMembers()));
}
