using IocTwin.Api.Ingest;
using IocTwin.Api.Json;
using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;

namespace IocTwin.Api.Assets;

/// <summary>
/// Takes valid position reports to the twin: stored in the history store first (once that completes they are
/// acknowledged, and a lost grain update costs no position), then located in the areas, then reported to each asset in
/// time order. A batch holds a share of the ingest budget as readings do, so a twin that cannot keep up pushes back
/// (<see cref="IngestSaturatedException"/>, nothing stored) instead of queuing without end.
/// </summary>
public sealed class AssetIngest(
    IGrainFactory grains, IReadingHistory history, IngestAdmission admission, LateDeliveries late, KnownAssets known, TimeProvider time)
{
    /// <summary>An asset's reports not applied after this long are left to its next report (its history keeps them).</summary>
    private static readonly TimeSpan DeliveryWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A batch checked whole, as every way in (HTTP, MQTT, NGSI-LD) takes positions: the reports when every item is valid
    /// and names a registered asset; null otherwise, each bad item named in <paramref name="errors"/> as "[i].field".
    /// </summary>
    public async Task<List<AssetReport>?> CheckAsync(IReadOnlyList<AssetPositionRequest?> items, Dictionary<string, List<string>> errors)
    {
        if (AssetRequests.Check(items, time.GetUtcNow(), errors) is not { } reports)
        {
            return null;
        }
        var unknown = (await known.UnknownAsync(reports.Select(r => r.AssetId))).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < reports.Count; i++)
        {
            if (unknown.Contains(reports[i].AssetId))
            {
                errors.AddError($"[{i}].id", $"'{reports[i].AssetId}' is not a registered asset");
            }
        }
        return errors.Count == 0 ? reports : null;
    }

    public async Task<AssetIngestResult> IngestAsync(IReadOnlyList<AssetReport> reports)
    {
        if (reports.Count == 0)
        {
            return new AssetIngestResult(0);
        }
        using var budget = await admission.EnterAsync(reports.Count);
        await history.AppendAsync([.. reports.Select(r => (AssetHistory.HistoryId(r.AssetId), AssetHistory.ReadingOf(r.Position)))]);
        // Stored, so acknowledged from here on: a failed locate or grain call is tried again, never answered as a failure
        // (the sender would send the batch again and store every position twice).
        var giveUpAt = time.GetUtcNow() + DeliveryWindow;
        var paths = await LocateOrNullAsync(reports);
        await Task.WhenAll(reports.Select((report, i) => (report, path: paths?[i]))
            .GroupBy(r => r.report.AssetId, StringComparer.Ordinal)
            .Select(async asset =>
            {
                var ordered = asset.OrderBy(r => r.report.Position.Timestamp).ToList();
                try
                {
                    await DeliverAsync(asset.Key, ordered);
                }
                catch (Exception)
                {
                    // An asset ignores a report no newer than its latest, so sending them all again is safe.
                    var again = ordered.Select(r => (r.report, path: (string[]?)null)).ToList();
                    await late.RetryAsync(AssetHistory.HistoryId(asset.Key), giveUpAt, () => DeliverAsync(asset.Key, again));
                }
            }));
        return new AssetIngestResult(reports.Count);
    }

    /// <summary>The areas holding each report, for the whole batch at once; null when the locator failed (each asset asks again).</summary>
    private async Task<string[][]?> LocateOrNullAsync(IReadOnlyList<AssetReport> reports)
    {
        try
        {
            return await grains.GetGrain<IAreaLocatorGrain>(0).Locate([.. reports.Select(r => r.Position.Location)]);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private async Task DeliverAsync(string assetId, List<(AssetReport Report, string[]? Path)> ordered)
    {
        var paths = ordered.All(r => r.Path is not null)
            ? [.. ordered.Select(r => r.Path!)]
            : await grains.GetGrain<IAreaLocatorGrain>(0).Locate([.. ordered.Select(r => r.Report.Position.Location)]);
        var grain = grains.GetGrain<IAssetGrain>(assetId);
        for (var i = 0; i < ordered.Count; i++)
        {
            await grain.Report(ordered[i].Report.Position, paths[i]);
        }
    }
}
