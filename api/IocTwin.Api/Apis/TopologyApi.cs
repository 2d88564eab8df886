using IocTwin.Api.Access;
using IocTwin.Api.Assets;
using IocTwin.Api.Audit;
using IocTwin.Api.Json;
using IocTwin.Api.Streaming;
using IocTwin.Domain;
using IocTwin.Grains;
using IocTwin.Hosting;
using IocTwin.Model;
using IocTwin.Topology;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>An area to register: <see cref="Kind"/> (district, ward, commune ...; always district on the district route),
/// <see cref="ParentId"/> (none: directly under the city) and <see cref="Schematic"/> (the boundary is only approximate).</summary>
public sealed record DistrictRequest(
    string? Name, string? NameEn, List<GeoPoint>? Boundary, string? Kind = null, string? ParentId = null, bool? Schematic = null);

public sealed record SegmentRequest(
    string? Name, string? DistrictId, string? FromNode, string? ToNode, List<GeoPoint>? Geometry, double? LengthM,
    int? Lanes, double? CapacityVph, double? FreeFlowSpeedKmh, SegmentStatus? Status, string? RoadClass, bool? OneWay);

public sealed record SensorRequest(
    string? Name, SensorKind? Kind, Sector? Sector, GeoPoint? Location, string? DistrictId, string? SegmentId);

/// <summary>What an import registered (<see cref="Districts"/>: its areas of every kind), and — in a partial import — each feature left out and why.</summary>
public sealed record ImportSummary(int Districts, int Segments, int Sensors, IReadOnlyList<ImportError> Rejected);

/// <summary>Registers and changes the twin's topology; every change is persisted before the answer.</summary>
public static class TopologyApi
{
    public static IEndpointRouteBuilder MapTopologyApi(this IEndpointRouteBuilder group)
    {
        var api = group.MapGroup("").WithTags("Topology").RequireAuthorization(AccessExtensions.OperatePolicy);
        api.MapPut("/areas/{id}", (string id, DistrictRequest? body, HttpContext http, IGrainFactory grains, KnownEntities known,
                TopologyChanges topology, IAuditLog audit) =>
            PutArea(id, body, http, grains, known, topology, audit, districtRoute: false))
            .WithSummary("Registers or changes an area of any kind; a parent must be an area the twin holds, with a boundary holding this one's.");
        api.MapPut("/districts/{id}", (string id, DistrictRequest? body, HttpContext http, IGrainFactory grains, KnownEntities known,
                TopologyChanges topology, IAuditLog audit) =>
            PutArea(id, body, http, grains, known, topology, audit, districtRoute: true))
            .WithSummary("Registers or changes an area of kind district; the area route, kept from when districts were the only level.");
        api.MapPut("/segments/{id}", PutSegment);
        api.MapPut("/sensors/{id}", PutSensor);
        api.MapPost("/import", Import)
            .WithSummary("Import a GeoJSON FeatureCollection of districts, segments and sensors; all or nothing, or with ?partial=true the valid features and a report of those left out.")
            .Accepts<object>("application/geo+json", "application/json");
        return group;
    }

    public static async Task<Results<Ok<DistrictView>, ValidationProblem>> PutArea(
        string id, DistrictRequest? body, HttpContext http, IGrainFactory grains, KnownEntities known, TopologyChanges topology,
        IAuditLog audit, bool districtRoute)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        if (districtRoute && body.Kind is not (null or AreaKinds.District))
        {
            return Problems.Field("kind", "must be district on the district route; register other kinds on /areas/{id}");
        }
        var spec = new DistrictSpec(id, body.Name ?? "", body.NameEn, body.Boundary ?? [], body.Kind ?? AreaKinds.District,
            body.ParentId, body.Schematic ?? false);
        var errors = Collect(TopologyRules.Validate(spec));
        if (errors.Count == 0 && spec.ParentId is { } parentId)
        {
            var tree = await known.AreasHoldingAsync([parentId]);
            if (!tree.Contains(parentId))
            {
                errors.AddError("parentId", $"unknown area '{parentId}'");
            }
            else if (parentId == id || tree.Ancestors(parentId).Contains(id))
            {
                errors.AddError("parentId", $"area '{parentId}' lies below '{id}': the parents would form a cycle");
            }
            else if (await grains.GetGrain<IDistrictGrain>(parentId).Get() is { Boundary: { } boundary } parent &&
                !AreaGeometry.HoldsBoundary(new DistrictSpec(parent.Id, parent.Name, null, boundary, MoreParts: parent.MoreParts), spec))
            {
                errors.AddError("boundary", $"is not inside the boundary of the parent area '{parentId}'");
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var formerParent = known.Areas.Find(id)?.ParentId;
        var registered = await grains.GetGrain<IDistrictGrain>(id).Register(spec);
        // Access in this process follows the new tree from the next request on, in the others as soon as they are told.
        await topology.AnnounceAsync(new[] { id, formerParent, spec.ParentId }.OfType<string>(), treeChanged: true);
        await audit.RecordAsync(http.User, AuditActions.DistrictPut, id, spec.Name);
        return TypedResults.Ok(registered);
    }

    public static async Task<Results<Ok<SegmentView>, ValidationProblem, ProblemHttpResult>> PutSegment(
        string id, SegmentRequest? body, HttpContext http, IGrainFactory grains, KnownEntities known, KnownAssets assets, TopologyChanges topology, IAuditLog audit)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var geometry = body.Geometry ?? [];
        var spec = new SegmentSpec(
            id, body.Name ?? "", body.DistrictId ?? "", body.FromNode ?? "", body.ToNode ?? "", geometry,
            body.LengthM ?? (geometry.Count >= 2 ? GeoPoint.PolylineLength(geometry) : 0),
            body.Lanes ?? 2, body.CapacityVph ?? 1800 * (body.Lanes ?? 2) / 2.0, body.FreeFlowSpeedKmh ?? 50,
            body.Status ?? SegmentStatus.Open, body.RoadClass, body.OneWay ?? false);
        var errors = Collect(TopologyRules.Validate(spec));
        await CheckLeafAreaAsync(spec.DistrictId, errors, grains, known);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var (isSegment, isSensor) = await known.EntityKindsAsync(id);
        if (isSensor)
        {
            return IdTaken(id, "sensor");
        }
        if (!isSegment && await assets.ExistsAsync(id))
        {
            return IdTaken(id, "asset");
        }
        var former = isSegment ? (await grains.GetGrain<IRoadSegmentGrain>(id).Get())?.DistrictId : null;
        var registered = await grains.GetGrain<IRoadSegmentGrain>(id).Register(spec);
        await AnnounceEntityAsync(topology, former, spec.DistrictId);
        await audit.RecordAsync(http.User, AuditActions.SegmentPut, id, spec.Name);
        return TypedResults.Ok(registered);
    }

    public static async Task<Results<Ok<SensorView>, ValidationProblem, ProblemHttpResult>> PutSensor(
        string id, SensorRequest? body, HttpContext http, IGrainFactory grains, KnownEntities known, KnownAssets assets, TopologyChanges topology, IAuditLog audit)
    {
        if (body is null)
        {
            return Problems.EmptyBody();
        }
        var errors = new Dictionary<string, List<string>>();
        if (body.Kind is null) errors.AddError("kind", "is required");
        if (body.Sector is null) errors.AddError("sector", "is required");
        if (body.Location is null) errors.AddError("location", "is required, as [lon, lat]");

        // A sensor on a segment belongs to the segment's district.
        var districtId = body.DistrictId;
        if (body.SegmentId is { } segmentId && TopologyRules.IsValidId(segmentId))
        {
            if (await grains.GetGrain<IRoadSegmentGrain>(segmentId).Get() is not { } segment)
            {
                errors.AddError("segmentId", $"unknown segment '{segmentId}'");
            }
            else if (districtId is not null && districtId != segment.DistrictId)
            {
                errors.AddError("districtId", $"segment '{segmentId}' lies in district '{segment.DistrictId}'");
            }
            else
            {
                districtId = segment.DistrictId;
            }
        }
        var spec = new SensorSpec(id, body.Kind ?? default, body.Sector ?? default, body.Location ?? default,
            districtId ?? "", body.SegmentId, body.Name);
        foreach (var (field, message) in TopologyRules.Validate(spec))
        {
            errors.AddError(field, message);
        }
        await CheckLeafAreaAsync(spec.DistrictId, errors, grains, known);
        if (errors.Count > 0)
        {
            return Problems.Fields(errors);
        }
        var (isSegment, isSensor) = await known.EntityKindsAsync(id);
        if (isSegment)
        {
            return IdTaken(id, "segment");
        }
        if (!isSensor && await assets.ExistsAsync(id))
        {
            return IdTaken(id, "asset");
        }
        var former = isSensor ? (await grains.GetGrain<ISensorGrain>(id).Get())?.DistrictId : null;
        var registered = await grains.GetGrain<ISensorGrain>(id).Register(spec);
        await AnnounceEntityAsync(topology, former, spec.DistrictId);
        await audit.RecordAsync(http.User, AuditActions.SensorPut, id, spec.Name);
        return TypedResults.Ok(registered);
    }

    public static async Task<Results<Ok<ImportSummary>, ValidationProblem, ProblemHttpResult>> Import(
        GeoJsonBody? document, HttpContext http, IGrainFactory grains, TopologyChanges topology, KnownEntities twin, IAuditLog audit,
        TwinHostingOptions hosting, TimeProvider time, CancellationToken cancellationToken, bool partial = false)
    {
        if (document is null)
        {
            return Problems.EmptyBody();
        }
        // Views of new rows in areas changed from here on (a PUT while the document is stored) are not held as stored.
        var storedSince = topology.ChangesSoFar;
        // A read of the topology that began after the document arrived: only the areas whose members changed are read again.
        await twin.RefreshAsync();
        CityImportResult result;
        KnownTopology known;
        // Checked and told apart from one state of the index: a read meanwhile waits to update it.
        using (await twin.Members.HoldAsync())
        {
            try
            {
                result = GeoJsonCityReader.Read(document.Root, knownDistrictIds: twin.Areas.Links.Select(l => l.Id).ToHashSet(StringComparer.Ordinal),
                    knownSegmentIds: twin.Members.Segments, knownSensorIds: twin.Members.Sensors);
            }
            catch (FormatException ex)
            {
                return Problems.Field("body", ex.Message);
            }
            known = twin.TopologyOf(result.City);
        }
        // All or nothing by default; a sector bringing its existing assets may ask to import what is valid.
        if (result.Errors.Count > 0 && !partial)
        {
            var errors = new Dictionary<string, List<string>>();
            foreach (var error in result.Errors)
            {
                errors.AddError(error.Field, error.Id is null ? error.Message : $"{error.Id}: {error.Message}");
            }
            return Problems.Fields(errors);
        }
        // Every API process reads the topology again (ids and tree), and the imported areas into the state it holds in the
        // background, not at its next city screen; also after some batches failed, since the others are stored.
        // Existing segments and sensors the document puts in another area: the screens of the areas they leave hold
        // them and take a new snapshot, as after a move through PUT.
        var formerAreas = result.City.Segments.Select(s => (s.Id, s.DistrictId)).Concat(result.City.Sensors.Select(s => (s.Id, s.DistrictId)))
            .Select(m => known.AreaOf.GetValueOrDefault(m.Id) is { } former && former != m.DistrictId ? former : null)
            .OfType<string>().ToList();
        var moved = formerAreas.Count > 0;
        var touched = result.City.Districts.Select(d => d.Id).Concat(result.City.Segments.Select(s => s.DistrictId))
            .Concat(result.City.Sensors.Select(s => s.DistrictId)).Concat(formerAreas);
        // The new segments and sensors are stored as rows; this process holds them as stored, without activating them.
        var stored = NewTopologyRecords.Views(result.City, known, time.GetUtcNow());
        try
        {
            await TopologyImporter.ImportAsync(grains, result.City, cancellationToken, known, hosting.ImportBatchSize);
        }
        catch (TopologyImportException ex)
        {
            // Views of rows not stored are never taken: those segments and sensors are no members of their areas.
            await topology.AnnounceAsync(touched, treeChanged: true, moved, stored, storedSince);
            await audit.RecordAsync(http.User, AuditActions.TopologyImport, "city", ex.Message);
            return BatchesFailed(ex);
        }
        await topology.AnnounceAsync(touched, treeChanged: true, moved, stored, storedSince);
        var summary = new ImportSummary(result.City.Districts.Count, result.City.Segments.Count, result.City.Sensors.Count, result.Errors);
        await audit.RecordAsync(http.User, AuditActions.TopologyImport, "city",
            $"{summary.Districts} districts, {summary.Segments} segments, {summary.Sensors} sensors, {summary.Rejected.Count} rejected");
        return TypedResults.Ok(summary);
    }

    /// <summary>Segments and sensors belong to the lowest area holding them: an area the twin holds with none below it.</summary>
    private static async Task CheckLeafAreaAsync(string areaId, Dictionary<string, List<string>> errors, IGrainFactory grains, KnownEntities known)
    {
        if (errors.Count > 0)
        {
            return;
        }
        if (await grains.GetGrain<IDistrictGrain>(areaId).Get() is not { } area)
        {
            errors.AddError("districtId", $"unknown district '{areaId}'");
        }
        else if (area.ChildIds is { Count: > 0 })
        {
            errors.AddError("districtId", $"area '{areaId}' has areas below it: name the lowest area holding it");
        }
    }

    /// <summary>
    /// Some batches of an import failed: rolled back (the store refused them), or stored but not attached to their
    /// districts (failedBatches[].stored); the areas and every other batch are stored, so the same document can be sent
    /// again once the store is healthy, and that completes the city.
    /// </summary>
    private static ProblemHttpResult BatchesFailed(TopologyImportException failure) =>
        TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Import batches failed",
            detail: failure.Message, extensions: new Dictionary<string, object?>
            {
                ["batches"] = failure.Batches,
                ["failedBatches"] = failure.Failed,
            });

    /// <summary>A segment or sensor registered in an area, or moved there from another: every API process hears of it.</summary>
    private static Task AnnounceEntityAsync(TopologyChanges topology, string? formerAreaId, string areaId) =>
        topology.AnnounceAsync(new[] { formerAreaId, areaId }.OfType<string>(), treeChanged: false, moved: formerAreaId is not null && formerAreaId != areaId);

    /// <summary>Segments, sensors and assets share one space of ids, so an id names one entity of one kind.</summary>
    internal static ProblemHttpResult IdTaken(string id, string kind) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Id already in use",
            detail: $"Id '{id}' is already a {kind} of the twin; choose another id.", extensions: new Dictionary<string, object?> { ["field"] = "id" });

    private static ValidationProblem? Invalid(IEnumerable<(string Field, string Message)> errors)
    {
        var collected = Collect(errors);
        return collected.Count > 0 ? Problems.Fields(collected) : null;
    }

    private static Dictionary<string, List<string>> Collect(IEnumerable<(string Field, string Message)> errors)
    {
        var collected = new Dictionary<string, List<string>>();
        foreach (var (field, message) in errors)
        {
            collected.AddError(field, message);
        }
        return collected;
    }
}
