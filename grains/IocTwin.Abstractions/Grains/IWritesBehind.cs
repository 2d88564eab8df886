using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>
/// A grain that writes its live state behind: the silo's write-behind schedule calls it when its write is due, so that
/// the silo keeps one timer for all of them instead of one per grain. Not for clients.
/// </summary>
public interface IWritesBehind : IGrainWithStringKey
{
    /// <summary>Writes the state now if a write is pending; holds the grain's other calls until it is written.</summary>
    [Alias("WriteBehind")]
    Task WriteBehind();

    /// <summary>The same, letting the grain's other calls run while the store takes the write.</summary>
    [Alias("WriteBehindInterleaved"), AlwaysInterleave]
    Task WriteBehindInterleaved();
}
