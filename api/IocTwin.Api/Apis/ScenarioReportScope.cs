using IocTwin.Api.Access;
using IocTwin.Grains;
using IocTwin.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IocTwin.Api.Apis;

/// <summary>
/// What of a scenario an OC may see and change, by the same rules as the live twin: its own districts and segments,
/// and none of the city-wide figures (the live city view is the IOC's too).
/// </summary>
public static class ScenarioReportScope
{
    /// <summary>The report with only what the caller may see; the rest left out.</summary>
    public static ScenarioReport Restrict(ScenarioReport report, TwinAccess access)
    {
        var segments = report.Segments.Where(s => access.CanSeeSegment(s.DistrictId)).ToList();
        var visibleSegments = segments.Select(s => s.SegmentId).ToHashSet(StringComparer.Ordinal);
        var delta = report.Delta;
        // Every field named: one added to the report later stays the IOC's until it is decided here. How far each
        // assignment converged says how far to trust the report, and holds no place or figure of the city.
        return new ScenarioReport(
            ScenarioId: report.ScenarioId,
            HorizonMinutes: report.HorizonMinutes,
            StepSeconds: report.StepSeconds,
            StartTimeOfDay: report.StartTimeOfDay,
            Baseline: null,
            Scenario: null,
            Delta: new ScenarioDelta(
                MeanSpeedKmh: null,
                TotalDelayVehHours: null,
                VehicleKm: null,
                MeanCongestedKm: null,
                Districts: [.. delta.Districts.Where(d => access.CanSeeDistrict(d.DistrictId))],
                OdPairs: [.. delta.OdPairs.Where(p => access.CanSeeDistrict(p.OriginDistrictId) && access.CanSeeDistrict(p.DestinationDistrictId))],
                MostAffectedSegments: [.. delta.MostAffectedSegments.Where(s => access.CanSeeSegment(s.DistrictId))]),
            Steps: null,
            ClosedSegmentIds: [.. report.ClosedSegmentIds.Where(visibleSegments.Contains)],
            FloodedSegmentIds: [.. report.FloodedSegmentIds.Where(visibleSegments.Contains)],
            Segments: segments,
            BaselineTrips: null,
            ScenarioTrips: null,
            WallClockSeconds: report.WallClockSeconds,
            BaselineAssignments: report.BaselineAssignments,
            ScenarioAssignments: report.ScenarioAssignments,
            Queues: report.Queues is not { } queues ? null : new QueueReport(
                Worst: [.. queues.Worst.Where(q => access.CanSeeSegment(q.DistrictId))],
                Extents: [.. queues.Extents.Where(q => access.CanSeeSegment(q.DistrictId))],
                QueuedVehicles: null,
                LongestQueueM: null,
                SpillbackDelayVehHours: null,
                VehiclesDelayedBySpillback: null));
    }

    /// <summary>A 403 naming the field when an OC's intervention reaches outside its scope; null when it stays within.</summary>
    public static async Task<ProblemHttpResult?> OutsideScopeAsync(InterventionSpec intervention, TwinAccess access, IGrainFactory grains,
        KnownEntities known, string prefix = "")
    {
        ProblemHttpResult Outside(string field, string what) =>
            TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope",
                detail: $"Your token does not cover {what}.", extensions: new Dictionary<string, object?> { ["field"] = prefix + field });

        switch (intervention)
        {
            // An unknown segment is left to the simulation's own check, which names it; its id activates no grain.
            case SegmentInterventionSpec { SegmentId: var segmentId } when await known.ExistsAsync(EntityKind.Segment, segmentId) &&
                await grains.GetGrain<IRoadSegmentGrain>(segmentId).Get() is { } segment && !access.CanSeeSegment(segment.DistrictId):
                return Outside("segmentId", $"segment '{segmentId}'");
            case RainSpec rain when !access.CanSeeAllOfDistrict(rain.DistrictId):
                return Outside("districtId", $"district '{rain.DistrictId}'");
            // No end is the whole city: the IOC's.
            case DemandSpec demand when !access.CanSeeAllOfDistrict(demand.OriginDistrictId ?? ""):
                return Outside("originDistrictId", $"district '{demand.OriginDistrictId ?? "(the city)"}'");
            case DemandSpec demand when !access.CanSeeAllOfDistrict(demand.DestinationDistrictId ?? ""):
                return Outside("destinationDistrictId", $"district '{demand.DestinationDistrictId ?? "(the city)"}'");
            default:
                return null;
        }
    }
}
