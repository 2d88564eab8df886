using Orleans.Storage;

namespace IocTwin.Topology;

/// <summary>A grain's state to store before the grain is ever activated, as the grain would store it itself.</summary>
public abstract record GrainStateRow(string StateName, GrainId GrainId)
{
    /// <summary>The payload, in the storage provider's own format.</summary>
    public abstract BinaryData Serialize(IGrainStorageSerializer serializer);

    /// <summary>Stores the row through a grain storage, as a first write of the grain.</summary>
    public abstract Task WriteAsync(IGrainStorage storage);
}

public sealed record GrainStateRow<T>(string StateName, GrainId GrainId, T State) : GrainStateRow(StateName, GrainId)
{
    public override BinaryData Serialize(IGrainStorageSerializer serializer) => serializer.Serialize(State);

    public override Task WriteAsync(IGrainStorage storage) => storage.WriteStateAsync(StateName, GrainId, new GrainState<T>(State));
}
