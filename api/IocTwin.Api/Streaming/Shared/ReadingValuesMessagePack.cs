using IocTwin.Model;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace IocTwin.Api.Streaming.Shared;

/// <summary>A reading's values on the hub's MessagePack protocol: a map of names to numbers, as a dictionary's would be.</summary>
public sealed class ReadingValuesFormatter : IMessagePackFormatter<ReadingValues?>
{
    public static readonly ReadingValuesFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, ReadingValues? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteMapHeader(value.Count);
        foreach (var (name, number) in value)
        {
            writer.Write(name);
            writer.Write(number);
        }
    }

    public ReadingValues? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var pairs = new KeyValuePair<string, double>[reader.ReadMapHeader()];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(reader.ReadString()!, reader.ReadDouble());
        }
        return ReadingValues.Create(pairs);
    }
}

/// <summary>What the hub's MessagePack protocol adds to the standard resolver: shared snapshot lists and readings' values.</summary>
public static class HubMessagePack
{
    public static IFormatterResolver Resolver(IFormatterResolver standard) => CompositeResolver.Create(
        [ReadingValuesFormatter.Instance],
        [new SharedListResolver(typeof(DistrictView), typeof(SegmentView), typeof(SensorView)), standard]);
}
