using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// The context entities that exist, with their types and districts, so queries select them without activating every
/// entity grain and unknown ids activate none. Key 0.
/// </summary>
public interface IContextEntityIndexGrain : IGrainWithIntegerKey
{
    [Alias("Set")]
    Task Set(ContextEntityEntry entry);

    [Alias("Remove")]
    Task Remove(string entityId);

    /// <summary>The entry of that id; null when there is no such entity.</summary>
    [Alias("Find")]
    Task<ContextEntityEntry?> Find(string entityId);

    [Alias("List")]
    Task<ContextEntityEntry[]> List();
}
