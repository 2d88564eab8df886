namespace IocTwin.Grains;

/// <summary>A string hash that is the same in every process and version, for splitting indexes into shards.</summary>
public static class StableHash
{
    /// <summary>FNV-1a over the string's UTF-16 code units.</summary>
    public static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
