using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The report index in <see cref="Shards"/> grains, a report in the shard its id hashes to, as the asset index is: filing
/// or moving a report on writes one small shard. The count and the hash are part of the stored format.
/// </summary>
public static class ReportIndex
{
    public const int Shards = 64;

    public static IReportIndexGrain Of(IGrainFactory grains, string reportId) => ShardedIndex.Of<IReportIndexGrain>(grains, reportId, Shards);

    public static Task<List<ReportEntry>> ListAsync(IGrainFactory grains) =>
        ShardedIndex.AllAsync<IReportIndexGrain, ReportEntry>(grains, Shards, s => s.List());
}
