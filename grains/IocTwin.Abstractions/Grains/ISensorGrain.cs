using IocTwin.Model;

namespace IocTwin.Grains;

// Rules for every grain interface in this folder.
//
// Arrays passed with [Immutable] are built for the one call and never changed by sender or receiver: a grain on the
// same silo gets them without a copy.
//
// Every grain method carries an [Alias], its name on the wire; without one Orleans names a method by a hash of its
// parameter types, and silos of two versions stop understanding each other's calls during a rolling upgrade when a
// type changes. Interfaces only grow: a changed call is a new method, and message types gain fields, never lose them.

/// <summary>A physical sensor. Key: the sensor id.</summary>
public interface ISensorGrain : IGrainWithStringKey
{
    /// <summary>Registers or changes the sensor; persisted before it returns.</summary>
    [Alias("Register")]
    Task<SensorView> Register(SensorSpec spec);

    [Alias("Get")]
    Task<SensorView?> Get();

    /// <summary>
    /// Records readings, stored in history as <paramref name="batch"/> (none when not kept in history);
    /// a batch is applied once however often it arrives, and older readings than the latest never overwrite it.
    /// A sensor not registered ignores them.
    /// </summary>
    [Alias("Record")]
    Task Record([Immutable] Reading[] readings, HistoryBatch? batch = null);

    [Alias("IsRegistered")]
    Task<bool> IsRegistered();
}
