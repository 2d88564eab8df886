using System.Globalization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace IocTwin.Persistence;

/// <summary>
/// Grain storage whose reads of grains activating together are served a group per statement
/// (<see cref="GroupedReads{TRequest, TResult}"/>); writes and clears go to the storage it wraps.
/// </summary>
/// <remarks>
/// Kept instead of the ADO.NET provider's own read, which opens a connection and runs one statement per grain: a cold
/// city waking 50,000 sensors at once exhausted the PostgreSQL connection pool (API calls answered 503). On SQLite,
/// where that read runs synchronously on a scheduler thread, a cold city's activations measured about 750 µs of
/// process CPU each with grouped reads against about 1,070 µs with the provider's (100,000 sensors, shared box). A group of up to
/// <see cref="MostPerStatement"/> rows costs one statement, with at most <see cref="MostInFlight"/> in flight. The
/// rows, the payload's deserialisation, the ETag (the row's version) and "no row is a new grain" are the provider's
/// own, so the provider's writes that follow succeed as if it had read the row itself.
/// </remarks>
internal sealed class BatchedReadGrainStorage : IGrainStorage
{
    /// <summary>Rows one statement reads at most: short statements, far below SQLite's parameter limit.</summary>
    public const int MostPerStatement = 500;

    /// <summary>
    /// Statements in flight at most: with the history catch-up's one (CatchUpReads), a cold city holds at most three
    /// pooled connections for its activations, whatever its size.
    /// </summary>
    public const int MostInFlight = 2;

    private readonly IGrainStorage _inner;
    private readonly AdoGrainRowKeys _keys;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly GroupedReads<AdoGrainRowKey, StoredStateRow?> _reads;

    public BatchedReadGrainStorage(IGrainStorage inner, AdoGrainRowKeys keys, IGrainStorageSerializer serializer,
        IActivatorProvider activators, SqlGrainStateReader reader)
    {
        _inner = inner;
        _keys = keys;
        _serializer = serializer;
        _activators = activators;
        _reads = new(MostPerStatement, MostInFlight, reader.ReadAsync);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!AdoGrainRowKeys.KeysAsProvider(stateName))
        {
            await _inner.ReadStateAsync(stateName, grainId, grainState);
            return;
        }
        var row = await _reads.ReadAsync(_keys.Of(stateName, grainId));
        // As the provider reads: a cleared row (no payload) or no row at all is a fresh state that does not exist yet;
        // the version is the ETag whenever a row exists, cleared or not.
        var state = row?.Payload is { } payload ? _serializer.Deserialize<T>(new BinaryData(payload)) : default;
        grainState.State = state ?? _activators.GetActivator<T>().Create();
        grainState.ETag = row?.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = row?.Payload is not null;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _inner.ClearStateAsync(stateName, grainId, grainState);
}
