using IocTwin.Model;

namespace IocTwin.Grains;

/// <summary>
/// One NGSI-LD context entity of a type the twin does not model itself, keyed by its id (a URI). Only called for ids
/// the <see cref="IContextEntityIndexShardGrain"/>s list, or to create one.
/// </summary>
public interface IContextEntityGrain : IGrainWithStringKey
{
    /// <summary>The entity; null when it does not exist.</summary>
    [Alias("Get")]
    Task<ContextEntity?> Get();

    /// <summary>
    /// Applies a write whole or not at all: numeric observations (with observedAt) stored in history, then the entity,
    /// then the index; the change is published to every API process.
    /// </summary>
    [Alias("Write")]
    Task<ContextWriteOutcome> Write(ContextEntityWrite write);
}
