using System.Text;

namespace IocTwin.History;

/// <summary>
/// Value names read as UTF-8 (from history rows, from JSON bodies): a city uses a handful, so each becomes a string
/// once per cache, not once per value.
/// </summary>
public sealed class Utf8NameCache
{
    private const int MaxNames = 256;
    private readonly List<(byte[] Utf8, string Name)> _names = [];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        foreach (var (bytes, name) in _names)
        {
            if (utf8.SequenceEqual(bytes))
            {
                return name;
            }
        }
        var added = Encoding.UTF8.GetString(utf8);
        if (_names.Count < MaxNames)
        {
            _names.Add((utf8.ToArray(), added));
        }
        return added;
    }
}
