using IocTwin.Api.Access;
using IocTwin.Api.Apis;
using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Assets;

/// <summary>A past position of an asset, for the replay screen.</summary>
public sealed record AssetAt(string Id, AssetKind Kind, Sector Sector, TrackPoint Position, string? AreaId);

public sealed record AssetTrack(string Id, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<TrackPoint> Points);

/// <summary>
/// Moving assets: registration (IOC), positions in (ingest key or IOC token), and what each caller may see of them: an
/// asset is seen by the OCs of the area it is in (and of areas above it) and by its sector's OCs; a past position by
/// those of the area it was in then.
/// </summary>
public static class AssetsApi
{
    /// <summary>A track query spans at most this long.</summary>
    public static readonly TimeSpan MaxTrackSpan = TimeSpan.FromDays(7);
    private const int MaxTrackPoints = 5_000;

    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder group)
    {
        var assets = group.MapGroup("/assets").WithTags("Assets");
        assets.MapGet("/", ListAssets).WithSummary("The assets the caller may see now, with their latest positions.");
        assets.MapGet("/areas", CountAssets).WithSummary("Assets inside each area the caller may see, and how many entered and left it.");
        assets.MapGet("/positions", PositionsAt).WithSummary("Where the assets the caller may see were at a past time ('at', ISO-8601).");
        assets.MapPost("/positions", PostPositions)
            .AllowAnonymous()
            .WithSummary("Ingest a batch of asset positions (at most 10,000), with an ingest key or an IOC token; a batch with any bad item changes nothing.")
            .Produces<AssetIngestResult>(StatusCodes.Status202Accepted);
        assets.MapGet("/{id}", GetAsset).WithSummary("An asset's latest position, area and status.");
        assets.MapPut("/{id}", PutAsset).RequireAuthorization(AccessExtensions.OperatePolicy)
            .WithSummary("Registers an asset, or changes its name, kind or sector.");
        assets.MapGet("/{id}/track", GetTrack).WithSummary("An asset's positions between 'from' and 'to' (default: the last hour), as far as the caller may see them.");
        return group;
    }

    public static bool CanSee(this TwinAccess access, string? areaId, Sector sector) =>
        areaId is null ? access.CanSeeSector(sector) : access.CanSeeSensor(areaId, sector);

    public static async Task<Results<Ok<AssetView>, ValidationProblem, ProblemHttpResult>> PutAsset(
        string id, AssetRequest? body, IGrainFactory grains, KnownEntities known)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        if (AssetRequests.Check(id, body, errors) is not { } spec)
        {
            return Problems.Fields(errors);
        }
        var (isSegment, isSensor) = await known.EntityKindsAsync(id);
        if (isSegment || isSensor)
        {
            return TopologyApi.IdTaken(id, isSegment ? "segment" : "sensor");
        }
        return TypedResults.Ok(await grains.GetGrain<IAssetGrain>(id).Register(spec));
    }

    public static async Task<Results<Accepted<AssetIngestResult>, ValidationProblem, ProblemHttpResult>> PostPositions(
        AssetPositionRequest?[]? body, HttpContext http, AssetIngest ingest)
    {
        if (!AccessExtensions.HasIngestApiKey(http) && !http.Access().CanOperate)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or unknown API key",
                detail: $"Send a valid ingest key in the {AccessExtensions.ApiKeyHeader} header, or an IOC token.",
                extensions: new Dictionary<string, object?> { ["field"] = AccessExtensions.ApiKeyHeader });
        }
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        if (await ingest.CheckAsync(body, errors) is not { } reports)
        {
            return Problems.Fields(errors);
        }
        try
        {
            return TypedResults.Accepted((string?)null, await ingest.IngestAsync(reports));
        }
        catch (IngestSaturatedException saturated)
        {
            return ReadingsApi.TooBusy(http, saturated, "The twin is applying as many positions as it can; none of this batch was accepted.");
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OrleansException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Positions not stored",
                detail: "The twin could not store this batch; none of it was accepted. Retry shortly.");
        }
    }

    public static async Task<Ok<List<AssetView>>> ListAssets(HttpContext http, KnownAssets known) =>
        TypedResults.Ok(await known.VisibleAsync(http.Access()));

    public static async Task<Ok<List<AreaAssetCount>>> CountAssets(HttpContext http, IGrainFactory grains)
    {
        var access = http.Access();
        return TypedResults.Ok((await AssetIndex.CountsAsync(grains)).Where(c => access.CanSeeAllOfDistrict(c.AreaId)).ToList());
    }

    public static async Task<Results<Ok<AssetView>, ProblemHttpResult>> GetAsset(string id, HttpContext http, KnownAssets known) =>
        // An asset out of the caller's scope answers as an unknown one does: the answer tells nothing of its existence.
        await known.VisibleAsync(http.Access(), id) is { } asset ? TypedResults.Ok(asset) : Problems.NotFound("asset", id);

    public static async Task<Results<Ok<AssetTrack>, ValidationProblem, ProblemHttpResult>> GetTrack(
        string id, DateTimeOffset? from, DateTimeOffset? to, HttpContext http, KnownAssets known, IGrainFactory grains,
        IReadingHistory history, TimeProvider time, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddHours(-1);
        if (start >= end) return Problems.Field("from", "must be before 'to'");
        if (end - start > MaxTrackSpan) return Problems.Field("to", $"must be at most {MaxTrackSpan.TotalDays:0} days after 'from'");
        if (!await known.ExistsAsync(id) || await grains.GetGrain<IAssetGrain>(id).Get() is not { } asset)
        {
            return Problems.NotFound("asset", id);
        }
        // One point per bucket; a bucket shorter than the reporting interval holds one report.
        var step = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((end - start).TotalSeconds / MaxTrackPoints)));
        var buckets = await history.QueryAsync(AssetHistory.HistoryId(id), start, end, step, cancellationToken);
        var points = buckets.Select(b => (Bucket: b, Point: AssetHistory.PointOf(b))).Where(b => b.Point is not null)
            .Select(b => (Point: b.Point!, Places: AssetHistory.PlacesOf(b.Bucket, b.Point!))).ToList();
        // A point is shown when the caller may see every place that decides it.
        var visible = await VisibleAsync(http.Access(), grains, [.. points.SelectMany(p => p.Places.Select(place => (place, asset.Sector)))]);
        var shown = new List<TrackPoint>(points.Count);
        var next = 0;
        foreach (var (point, places) in points)
        {
            if (visible.GetRange(next, places.Length).TrueForAll(v => v.Visible)) shown.Add(point);
            next += places.Length;
        }
        return TypedResults.Ok(new AssetTrack(id, start, end, shown));
    }

    public static async Task<Results<Ok<List<AssetAt>>, ValidationProblem>> PositionsAt(
        DateTimeOffset? at, HttpContext http, IGrainFactory grains, IReadingHistory history, CancellationToken cancellationToken)
    {
        if (at is not { } time)
        {
            return Problems.Field("at", "is required: an ISO-8601 time");
        }
        var entries = (await AssetIndex.ListAsync(grains)).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var latest = await history.LatestAtAsync(time, HistorySeries.StartingWith(AssetHistory.Prefix), cancellationToken);
        var found = latest.Where(r => r.Key.StartsWith(AssetHistory.Prefix, StringComparison.Ordinal))
            .Select(r => (Entry: entries.GetValueOrDefault(r.Key[AssetHistory.Prefix.Length..]), Point: AssetHistory.PointOf(r.Value.Timestamp, r.Value.Values)))
            .Where(r => r.Entry is not null && r.Point is not null)
            .ToList();
        var visible = await VisibleAsync(http.Access(), grains, found.Select(f => (f.Point!.Location, f.Entry!.Sector)).ToList());
        return TypedResults.Ok(found.Select((f, i) => (f, visible[i]))
            .Where(p => p.Item2.Visible)
            .Select(p => new AssetAt(p.f.Entry!.Id, p.f.Entry.Kind, p.f.Entry.Sector, p.f.Point!, p.Item2.AreaId))
            .ToList());
    }

    /// <summary>Whether the caller may see each past position: by the area holding it, not the one the asset is in now.</summary>
    private static async Task<List<(bool Visible, string? AreaId)>> VisibleAsync(TwinAccess access, IGrainFactory grains, List<(GeoPoint Location, Sector Sector)> points)
    {
        if (points.Count == 0)
        {
            return [];
        }
        var paths = await grains.GetGrain<IAreaLocatorGrain>(0).Locate([.. points.Select(p => p.Location)]);
        return [.. points.Select((p, i) => (access.CanSee(paths[i].FirstOrDefault(), p.Sector), paths[i].FirstOrDefault()))];
    }
}
