using IocTwin.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace IocTwin.Topology;

/// <summary>Stores many grains' states at once: all of them, or (when it throws) none.</summary>
public interface IGrainStateBatchWriter
{
    Task WriteAsync(IReadOnlyList<GrainStateRow> rows, CancellationToken cancellationToken = default);
}

/// <summary>
/// Row by row through the twin's grain storage, for stores with no transaction to offer (the in-memory store of test
/// clusters); the SQL stores register a writer that takes one transaction per batch.
/// </summary>
public sealed class PerGrainStateWriter(IGrainStorage storage) : IGrainStateBatchWriter
{
    public static IGrainStateBatchWriter For(IServiceProvider services) =>
        services.GetService<IGrainStateBatchWriter>() ?? new PerGrainStateWriter(services.GetRequiredKeyedService<IGrainStorage>(TwinStorage.Name));

    public async Task WriteAsync(IReadOnlyList<GrainStateRow> rows, CancellationToken cancellationToken = default)
    {
        foreach (var row in rows)
        {
            await row.WriteAsync(storage);
        }
    }
}
