using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace IocTwin.Model;

/// <summary>
/// Stores a catalogue id as its string. Rows written while sectors and sensor kinds were compiled enums hold the enum's
/// number (a varint field): those read as the compiled id at that position, so every stored grain keeps loading. Ids
/// read are shared (<see cref="SharedStrings.CatalogIds"/>): a twin holds one in each sensor and reads it anew from every
/// stored row and message. Only here, where ids come from stored state and grain messages (the twin's own, checked
/// against the catalogue when taken in), not where clients' input is parsed.
/// </summary>
public abstract class CatalogIdCodec<T> : IFieldCodec<T> where T : struct, ICatalogId<T>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, T value)
        where TBufferWriter : IBufferWriter<byte> =>
        StringCodec.WriteField(ref writer, fieldIdDelta, value.Id);

    public T ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType != WireType.VarInt)
        {
            return T.FromId(SharedStrings.CatalogIds.Share(StringCodec.ReadValue(ref reader, field) ?? ""));
        }
        var number = Int32Codec.ReadValue(ref reader, field);
        return number >= 0 && number < T.Compiled.Count
            ? T.Compiled[number]
            : throw new InvalidOperationException($"Stored {typeof(T).Name} number {number} names no compiled {typeof(T).Name}.");
    }
}

[RegisterSerializer]
public sealed class SectorCodec : CatalogIdCodec<Sector>;

[RegisterSerializer]
public sealed class SensorKindCodec : CatalogIdCodec<SensorKind>;
