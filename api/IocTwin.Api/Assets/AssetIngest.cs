using IocTwin.Grains;
using IocTwin.History;
using IocTwin.Model;

namespace IocTwin.Api.Assets;

/// <summary>
/// Takes valid position reports to the twin: stored in the history store first (once that completes they are
/// acknowledged, and a lost grain update costs no position), then located in the areas, then reported to each asset in
/// time order.
/// </summary>
public sealed class AssetIngest(IGrainFactory grains, IReadingHistory history)
{
    public async Task<AssetIngestResult> IngestAsync(IReadOnlyList<AssetReport> reports)
    {
        if (reports.Count == 0)
        {
            return new AssetIngestResult(0);
        }
        await history.AppendAsync([.. reports.Select(r => (AssetHistory.HistoryId(r.AssetId), AssetHistory.ReadingOf(r.Position)))]);
        var paths = await grains.GetGrain<IAreaLocatorGrain>(0).Locate([.. reports.Select(r => r.Position.Location)]);
        await Task.WhenAll(reports
            .Select((report, i) => (report, path: paths[i]))
            .GroupBy(r => r.report.AssetId, StringComparer.Ordinal)
            .Select(async asset =>
            {
                var grain = grains.GetGrain<IAssetGrain>(asset.Key);
                foreach (var (report, path) in asset.OrderBy(r => r.report.Position.Timestamp))
                {
                    await grain.Report(report.Position, path);
                }
            }));
        return new AssetIngestResult(reports.Count);
    }
}
