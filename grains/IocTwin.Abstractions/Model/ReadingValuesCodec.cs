using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace IocTwin.Model;

/// <summary>
/// Writes <see cref="ReadingValues"/> exactly as Orleans writes a <see cref="Dictionary{TKey, TValue}"/> of them, which
/// is how readings and snapshots were stored before: saved states read back either way, and a silo of either kind
/// reads the other's messages. Writing goes through a dictionary made for the purpose, which only storage and calls
/// between processes pay for.
/// </summary>
[RegisterSerializer]
public sealed class ReadingValuesCodec(IFieldCodec<Dictionary<string, double>> dictionaries) : IFieldCodec<ReadingValues>
{
    private static readonly Type StoredType = typeof(Dictionary<string, double>);

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, ReadingValues? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        Dictionary<string, double>? stored = null;
        if (value is not null)
        {
            stored = new Dictionary<string, double>(value.Count);
            foreach (var (name, number) in value)
            {
                stored[name] = number;
            }
        }
        // Expected as the dictionary it was: no type name goes on the wire, as none did.
        dictionaries.WriteField(ref writer, fieldIdDelta, StoredType, stored!);
    }

    public ReadingValues ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        dictionaries.ReadValue(ref reader, field) is { } stored ? ReadingValues.From(stored) : null!;
}
