using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Orleans.Configuration;
using Orleans.Storage;

namespace IocTwin.Persistence;

/// <summary>The key columns of a grain state's row in the ADO.NET provider's table (OrleansStorage).</summary>
internal readonly record struct AdoGrainRowKey(int IdHash, long N0, long N1, int TypeHash, string StateName, string? Extension);

/// <summary>
/// Derives the key columns as AdoNetGrainStorage does from a grain id and state name (its AdoGrainKey and HashPicker),
/// so rows written or read beside the provider are exactly the provider's own.
/// </summary>
internal sealed class AdoGrainRowKeys(string providerName, AdoNetGrainStorageOptions options, ClusterOptions cluster)
{
    /// <summary>The state the hash picker is shown: it picks by provider, state name and grain, not by the state's value.</summary>
    private static readonly GrainState<object> NoState = new();

    /// <summary>Each state name's hash, by hasher: a batch of thousands of rows hashes a few names.</summary>
    private readonly ConcurrentDictionary<(IHasher Hasher, string StateName), int> _typeHashes = new();

    public string ServiceId => cluster.ServiceId;

    public AdoGrainRowKey Of(string stateName, GrainId grainId)
    {
        long n0 = 0, n1 = 0;
        string? extension;
        byte[] hashed;
        if (grainId.TryGetGuidKey(out var guid, out extension))
        {
            var guidBytes = guid.ToByteArray();
            n0 = BitConverter.ToInt64(guidBytes, 0);
            n1 = BitConverter.ToInt64(guidBytes, 8);
            hashed = [.. guidBytes, .. extension is null ? [] : Encoding.UTF8.GetBytes(extension)];
        }
        else if (grainId.TryGetIntegerKey(out var integer, out extension))
        {
            n1 = integer;
            hashed = [.. BitConverter.GetBytes(integer), .. extension is null ? [] : Encoding.UTF8.GetBytes(extension)];
        }
        else
        {
            extension = grainId.Key.ToString();
            hashed = Encoding.UTF8.GetBytes(extension);
        }
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(hashed);
        }
        var hasher = options.HashPicker.PickHasher(cluster.ServiceId, providerName, stateName, grainId, NoState)!;
        var typeHash = _typeHashes.GetOrAdd((hasher, stateName), static key => key.Hasher.Hash(Encoding.UTF8.GetBytes(key.StateName)));
        return new AdoGrainRowKey(hasher.Hash(hashed), n0, n1, typeHash, stateName, extension);
    }

    /// <summary>
    /// The provider takes the state name as a type name and strips generic arguments from one holding a backtick;
    /// only names without one are keyed here as the provider keys them.
    /// </summary>
    public static bool KeysAsProvider(string stateName) => !stateName.Contains('`');

    /// <summary>A serialised state as the payload column takes it: the serializer's own array when it fills it, else a copy.</summary>
    public static byte[] PayloadOf(BinaryData data) =>
        MemoryMarshal.TryGetArray(data.ToMemory(), out var segment) && segment is { Offset: 0, Array: { } array } && array.Length == segment.Count
            ? array
            : data.ToArray();
}
