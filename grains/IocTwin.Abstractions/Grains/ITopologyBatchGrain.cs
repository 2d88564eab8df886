using IocTwin.Model;
using Orleans.Concurrency;

namespace IocTwin.Grains;

/// <summary>
/// Stores a batch of new segments and sensors at once, on the silo that takes the call (key 0; a stateless worker per
/// silo): every row of the batch in one transaction, then each district told of its new members in one call. The
/// segments and sensors activate later, when first asked for, from the rows written here.
/// </summary>
public interface ITopologyBatchGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Stores the batch, all or nothing (it throws when the store refuses it), and attaches its members to their
    /// districts before it answers. Every segment and sensor must be new to the twin; a sensor's segment, if any, must
    /// be in the same batch; the districts must exist.
    /// </summary>
    /// <returns>
    /// Null when every member joined its district; else why the districts did not take them in, the rows being stored
    /// (sending the same document again attaches them).
    /// </returns>
    [Alias("StoreNew")]
    Task<string?> StoreNew([Immutable] NewTopologyBatch batch);
}
